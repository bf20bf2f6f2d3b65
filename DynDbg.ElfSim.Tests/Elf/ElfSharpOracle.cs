using ELFSharp.ELF;
using ELFSharp.ELF.Sections;
using DynDbg.ElfSim.Elf;

namespace DynDbg.ElfSim.Tests.Elf;

/// <summary>
/// ELFSharp 2.17.3 (the design card's ELF library) as an independent reader: every section header and every
/// symbol our reader gives must be what ELFSharp gives for the same file, field by field. The one known gap is
/// ELFSharp's: it does not read SHT_SYMTAB_SHNDX, so a symbol whose st_shndx is SHN_XINDEX keeps 0xffff there
/// instead of its section; <see cref="Compare"/> reports such symbols separately instead of as differences.
/// </summary>
public static class ElfSharpOracle
{
    public sealed record Result(int Sections, int Symbols, int XindexSymbols, IReadOnlyList<string> Differences);

    public static Result Compare(string path)
    {
        using var ours = ElfFile.Open(path);
        var elf = ELFReader.Load(path);
        try
        {
            return elf switch
            {
                ELF<ulong> e64 => Compare(ours, e64),
                ELF<uint> e32 => Compare(ours, e32),
                _ => throw new InvalidOperationException("ELFSharp returned an unknown ELF class"),
            };
        }
        finally
        {
            elf.Dispose();
        }
    }

    private static ulong U<T>(T v) where T : struct => Convert.ToUInt64(v, System.Globalization.CultureInfo.InvariantCulture);

    private static Result Compare<T>(ElfFile ours, ELF<T> theirs) where T : struct
    {
        var diffs = new List<string>();
        var sections = theirs.Sections.ToList();
        if (sections.Count != ours.Sections.Count)
        {
            diffs.Add($"section count: ours {ours.Sections.Count}, ELFSharp {sections.Count}");
        }

        for (var i = 0; i < Math.Min(sections.Count, ours.Sections.Count); i++)
        {
            var o = ours.Sections[i];
            var t = (Section<T>)sections[i];
            // ELFSharp does not expose sh_link and sh_info
            var a = (o.Name, o.Type, o.Flags, o.Address, o.Offset, o.Size, o.AddrAlign, o.EntSize);
            var b = (t.Name, (uint)t.Type, U(t.RawFlags), U(t.LoadAddress), U(t.Offset), U(t.Size), U(t.Alignment), U(t.EntrySize));
            if (a != b)
            {
                diffs.Add($"section [{i}]: ours {a}, ELFSharp {b}");
            }
        }

        int symbols = 0, xindex = 0;
        foreach (var table in sections.OfType<SymbolTable<T>>())
        {
            var mine = ours.GetSymbolTable(ours.Sections[sections.IndexOf(table)]);
            var entries = table.Entries.ToList();
            if (entries.Count != mine.Count)
            {
                diffs.Add($"{table.Name}: ours {mine.Count} symbols, ELFSharp {entries.Count}");
                continue;
            }

            for (var i = 0; i < entries.Count; i++)
            {
                symbols++;
                var o = mine[i];
                var t = entries[i];
                var shndx = t.IsPointedIndexSpecial ? (uint)t.SpecialPointedSectionIndex : (uint)t.PointedSectionIndex;
                if (shndx == ElfConstants.ShnXindex && o.SectionIndex != ElfConstants.ShnXindex)
                {
                    xindex++; // ELFSharp's gap: SHT_SYMTAB_SHNDX is not read
                    shndx = o.SectionIndex;
                }

                var a = (mine.GetName(i), o.Value, o.Size, o.Binding, o.Type, o.SectionIndex);
                var b = (t.Name, U(t.Value), U(t.Size), (byte)t.Binding, (byte)t.Type, shndx);
                if (a != b)
                {
                    diffs.Add($"{table.Name} [{i}]: ours {a}, ELFSharp {b}");
                }
            }
        }

        return new Result(sections.Count, symbols, xindex, diffs);
    }
}
