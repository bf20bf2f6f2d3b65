using DynDbg.ElfSim.Elf;

namespace DynDbg.ElfSim.Linking;

/// <summary>
/// What GNU ld writes into padding: zeros, except in code sections where the architecture's fill function
/// (bfd/cpu-*.c) supplies no-ops. x86-64 uses the long NOP forms (up to 10 bytes each), i386 the short ones
/// (<c>66 90</c> pairs), as bfd/cpu-i386.c <c>bfd_arch_i386_fill</c> does; PowerPC fills with <c>nop</c> words.
/// The other Debian architectures' bfd/cpu-*.c use bfd_arch_default_fill: zeros.
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
        if (code && id.Machine is ElfMachine.Ppc64 or ElfMachine.Ppc)
        {
            // bfd/cpu-powerpc.c bfd_arch_ppc_nop_fill: "nop" (ori 0,0,0) words when the gap is whole words, else zeros.
            if ((size & 3) == 0)
            {
                for (var at = 0; at < fill.Length; at += 4)
                {
                    new ElfEndian(id.IsBigEndian).PutWord(fill.AsSpan(at), 0x60000000, 4);
                }
            }

            return fill;
        }

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
