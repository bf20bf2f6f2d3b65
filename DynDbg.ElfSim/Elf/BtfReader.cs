using System.Text;

namespace DynDbg.ElfSim.Elf;

/// <summary>
/// Finds a struct by name in a file's <c>.BTF</c> section (the kernel's BPF Type Format,
/// Documentation/bpf/btf.rst). Only what struct lookup needs is decoded; every other kind is skipped by its
/// documented size. Split BTF (modules) is recognised and reported as not self-contained.
/// </summary>
public static class BtfReader
{
    private const ushort Magic = 0xeB9F;

    public static BtfStruct? FindStruct(ElfFile file, string name)
    {
        var sec = file.FindSection(".BTF");
        if (sec is null || sec.IsNoBits)
        {
            return null;
        }

        var data = file.GetContents(sec);
        Fail(sec, data.Length < 24, file, sec.Offset, "BTF header is truncated (need 24 bytes)");
        // BTF is written in the target's byte order; the magic tells which.
        var le = new ElfEndian(false);
        var e = le.U16(data) == Magic ? le : new ElfEndian(true);
        Fail(sec, e.U16(data) != Magic, file, sec.Offset, $"BTF magic is 0x{le.U16(data):x4}, expected 0xeb9f");
        var hdrLen = e.U32(data[4..]);
        var typeOff = e.U32(data[8..]);
        var typeLen = e.U32(data[12..]);
        var strOff = e.U32(data[16..]);
        var strLen = e.U32(data[20..]);
        ulong typesStart = hdrLen + (ulong)typeOff, stringsStart = hdrLen + (ulong)strOff;
        Fail(sec, typesStart + typeLen > (ulong)data.Length || stringsStart + strLen > (ulong)data.Length,
            file, sec.Offset + 8, "BTF type or string section extends past the .BTF section");
        var types = data.Slice((int)typesStart, (int)typeLen);
        var strings = data.Slice((int)stringsStart, (int)strLen);
        var wanted = Encoding.UTF8.GetBytes(name);
        if (!NameMayExist(strings, wanted))
        {
            // A module's BTF is split: struct _ddebug is in vmlinux's part, and the walk below would read every
            // type of the module to learn it is not here.
            return null;
        }

        var pos = 0;
        while (pos < types.Length)
        {
            Fail(sec, pos + 12 > types.Length, file, sec.Offset + typesStart + (ulong)pos, "BTF type record is truncated");
            var nameOff = e.U32(types[pos..]);
            var info = e.U32(types[(pos + 4)..]);
            var sizeOrType = e.U32(types[(pos + 8)..]);
            var kind = (info >> 24) & 0x1f;
            var vlen = (int)(info & 0xffff);
            var kindFlag = (info >> 31) != 0;
            var extra = kind switch
            {
                1 => 4, // INT
                3 => 12, // ARRAY
                4 or 5 => vlen * 12, // STRUCT, UNION
                6 => vlen * 8, // ENUM
                13 => vlen * 8, // FUNC_PROTO
                14 => 4, // VAR
                15 => vlen * 12, // DATASEC
                17 => 4, // DECL_TAG
                19 => vlen * 12, // ENUM64
                2 or 7 or 8 or 9 or 10 or 11 or 12 or 16 or 18 => 0,
                _ => -1,
            };
            Fail(sec, extra < 0, file, sec.Offset + typesStart + (ulong)pos, $"unknown BTF kind {kind}");
            Fail(sec, pos + 12 + extra > types.Length, file, sec.Offset + typesStart + (ulong)pos, "BTF type record is truncated");
            if (kind == 4 && NameIs(strings, nameOff, wanted))
            {
                var members = new List<BtfMember>(vlen);
                for (var m = 0; m < vlen; m++)
                {
                    var mp = pos + 12 + (m * 12);
                    var mName = e.U32(types[mp..]);
                    var off = e.U32(types[(mp + 8)..]);
                    members.Add(kindFlag
                        ? new BtfMember(StringAt(strings, mName), off & 0xffffff, off >> 24)
                        : new BtfMember(StringAt(strings, mName), off, 0));
                }

                return new BtfStruct(name, sizeOrType, members);
            }

            pos += 12 + extra;
        }

        return null;
    }

    /// <summary>Whether the string section holds <paramref name="wanted"/> as a whole string (after a NUL, before one).</summary>
    private static bool NameMayExist(ReadOnlySpan<byte> strings, ReadOnlySpan<byte> wanted)
    {
        var from = 0;
        while (strings[from..].IndexOf(wanted) is var i and >= 0)
        {
            var at = from + i;
            if ((at == 0 || strings[at - 1] == 0) && at + wanted.Length < strings.Length && strings[at + wanted.Length] == 0)
            {
                return true;
            }

            from = at + 1;
        }

        return false;
    }

    private static bool NameIs(ReadOnlySpan<byte> strings, uint off, ReadOnlySpan<byte> wanted) =>
        off + (ulong)wanted.Length < (ulong)strings.Length &&
        strings.Slice((int)off, wanted.Length).SequenceEqual(wanted) && strings[(int)off + wanted.Length] == 0;

    private static string StringAt(ReadOnlySpan<byte> strings, uint off)
    {
        if (off >= (uint)strings.Length)
        {
            return "";
        }

        var rest = strings[(int)off..];
        var nul = rest.IndexOf((byte)0);
        return Encoding.UTF8.GetString(nul < 0 ? rest : rest[..nul]);
    }

    private static void Fail(ElfSection sec, bool condition, ElfFile file, ulong offset, string message)
    {
        if (condition)
        {
            throw new ElfFormatException(ErrorIds.BadBtf, file.Path, sec.Describe(), offset, message);
        }
    }
}
