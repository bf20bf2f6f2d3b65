using DynDbg.ElfSim.Elf;

namespace DynDbg.ElfSim.Linking;

/// <summary>
/// What GNU ld writes into padding: zeros, except in code sections where the architecture's fill function
/// (bfd/cpu-*.c) supplies no-ops. x86-64 uses the long NOP forms (up to 10 bytes each), i386 the short ones
/// (<c>66 90</c> pairs), as bfd/cpu-i386.c <c>bfd_arch_i386_fill</c> does.
/// </summary>
internal static class CodeFill
{
    private static readonly byte[][] Nops =
    [
        [0x90],
        [0x66, 0x90],
        [0x0f, 0x1f, 0x00],
        [0x0f, 0x1f, 0x40, 0x00],
        [0x0f, 0x1f, 0x44, 0x00, 0x00],
        [0x66, 0x0f, 0x1f, 0x44, 0x00, 0x00],
        [0x0f, 0x1f, 0x80, 0x00, 0x00, 0x00, 0x00],
        [0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00],
        [0x66, 0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00],
        [0x66, 0x2e, 0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00],
    ];

    public static byte[] For(ElfIdentity id, bool code, ulong size)
    {
        var fill = new byte[size];
        if (!code || id.Machine is not (ElfMachine.X86_64 or ElfMachine.I386))
        {
            return fill;
        }

        var nopSize = id.Machine == ElfMachine.X86_64 ? 10 : 2;
        var p = 0;
        var count = fill.Length;
        while (count >= nopSize)
        {
            Nops[nopSize - 1].CopyTo(fill, p);
            p += nopSize;
            count -= nopSize;
        }

        if (count != 0)
        {
            Nops[count - 1].AsSpan(0, count).CopyTo(fill.AsSpan(p));
        }

        return fill;
    }
}
