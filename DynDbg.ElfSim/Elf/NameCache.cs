using System.Text;

namespace DynDbg.ElfSim.Elf;

/// <summary>
/// One string for the same short ASCII name bytes, process-wide. The files of a tree scan repeat the same section
/// names (.text, .rela__dyndbg, .modinfo ...): decoding and allocating each again was a tenth of reading the section
/// headers of a module. A direct-mapped table: a collision only costs the decode it would have cost anyway, and
/// threads may overwrite each other's slots (a string reference is written whole).
/// </summary>
internal static class NameCache
{
    private const int Slots = 2048, MaxLength = 48;
    private static readonly string?[] Table = new string?[Slots];

    public static string Get(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length > MaxLength)
        {
            return Encoding.UTF8.GetString(bytes);
        }

        // The length and the first and last eight bytes: cheap, and enough to tell ".text.a" from ".rela.text.a"
        // (vmlinux.o's 8945 names are mostly unique, so the hash must cost less than the decode it may save).
        ulong head = 0, tail = 0;
        var n = Math.Min(bytes.Length, 8);
        for (var i = 0; i < n; i++)
        {
            head = (head << 8) | bytes[i];
            tail = (tail << 8) | bytes[bytes.Length - 1 - i];
        }

        var hash = (((head * 0x9E3779B97F4A7C15UL) ^ tail) * 0xC2B2AE3D27D4EB4FUL) + (ulong)bytes.Length;
        ref var slot = ref Table[(int)(hash >> 40) & (Slots - 1)];
        if (Volatile.Read(ref slot) is { } cached && Same(cached, bytes))
        {
            return cached;
        }

        var s = Encoding.UTF8.GetString(bytes);
        if (Ascii.IsValid(bytes))
        {
            Volatile.Write(ref slot, s);
        }

        return s;
    }

    private static bool Same(string s, ReadOnlySpan<byte> bytes)
    {
        if (s.Length != bytes.Length)
        {
            return false;
        }

        for (var i = 0; i < bytes.Length; i++)
        {
            if (s[i] != bytes[i])
            {
                return false;
            }
        }

        return true;
    }
}
