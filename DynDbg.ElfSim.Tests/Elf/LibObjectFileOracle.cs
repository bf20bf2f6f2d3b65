using LibObjectFile.Diagnostics;
using DynDbg.ElfSim.Elf;
using Lof = LibObjectFile.Elf;

namespace DynDbg.ElfSim.Tests.Elf;

/// <summary>
/// LibObjectFile 2.3.1 as a second independent reader, the one that decodes relocations: every section header (name,
/// type, flags, address, offset, size, link, info, alignment, entsize), every symbol and every relocation entry
/// (r_offset, type, symbol index, addend, the symbol table and target section) our reader gives must be what
/// LibObjectFile gives for the same bytes, and LibObjectFile must read them without an error diagnostic.
/// The one known difference is LibObjectFile's: it splits every ELF64 r_info as r_sym = bits 63..32 and r_type =
/// bits 31..0, which is not MIPS64's layout (r_sym 32 bits, then r_ssym, r_type3, r_type2, r_type bytes in file
/// order), so on little-endian MIPS64 its "type" is our r_sym and its "symbol" packs our r_type, r_type2, r_type3
/// and r_ssym; <see cref="Compare(ElfFile, byte[])"/> checks exactly that mapping and counts such entries apart.
/// Extended numbering (more than 0xff00 sections) and SHT_SYMTAB_SHNDX it reads as we do, keeping section [0]'s
/// sh_size and sh_link in its Layout instead of in the header.
/// </summary>
public static class LibObjectFileOracle
{
    public sealed record Result(
        int Sections,
        int Symbols,
        int RelocationTables,
        int Relocations,
        int MipsRInfoRelocations,
        IReadOnlyList<string> Warnings,
        IReadOnlyList<string> Differences);

    public static Result Compare(string path)
    {
        using var ours = ElfFile.Open(path);
        return Compare(ours, File.ReadAllBytes(path));
    }

    /// <summary>Reads <paramref name="bytes"/> (the bytes <paramref name="ours"/> was read from) with LibObjectFile and compares.</summary>
    public static Result Compare(ElfFile ours, byte[] bytes)
    {
        var diffs = new List<string>();
        if (!Lof.ElfFile.TryRead(new MemoryStream(bytes, writable: false), out var theirs, out var diagnostics))
        {
            diffs.Add("LibObjectFile could not read the file");
        }

        var warnings = new List<string>();
        foreach (var m in diagnostics?.Messages ?? [])
        {
            (m.Kind == DiagnosticKind.Error ? diffs : warnings).Add($"LibObjectFile {m.Kind}: {m.Id} {m.Message}");
        }

        if (theirs is null)
        {
            return new Result(0, 0, 0, 0, 0, warnings, diffs);
        }

        var sections = CompareSections(ours, theirs, diffs);
        var symbols = CompareSymbols(ours, theirs, diffs);
        var (tables, relocations, mips) = CompareRelocations(ours, theirs, diffs);
        return new Result(sections, symbols, tables, relocations, mips, warnings, diffs);
    }

    /// <summary>What <see cref="WriteBack"/> found: the st_other bytes LibObjectFile masked, whether it refused a
    /// MIPS64 file, and every other difference.</summary>
    public sealed record WriteBackResult(int MaskedStOther, bool MipsRefused, IReadOnlyList<string> Differences);

    /// <summary>
    /// Reads <paramref name="bytes"/> with LibObjectFile and writes its model back. It keeps every section's offset and
    /// the bytes between sections as read, so the result must be <paramref name="bytes"/> again, except for its two
    /// known writer limitations: it writes st_other as <c>visibility &amp; 3</c> (dropping e.g. PowerPC64 ELFv2's
    /// local-entry bits 5..7, STO_PPC64_LOCAL), and it verifies relocations before writing, so the symbol indices of
    /// its MIPS64 misreading (r_type &lt;&lt; 24 ...) make it refuse the file (LB0145, out-of-range symbol index).
    /// </summary>
    public static WriteBackResult WriteBack(ElfFile ours, byte[] bytes)
    {
        var diffs = new List<string>();
        var model = Lof.ElfFile.Read(new MemoryStream(bytes, writable: false));
        var back = new MemoryStream();
        if (!model.TryWrite(back, out var diagnostics))
        {
            var ids = diagnostics.Messages.Where(m => m.Kind == DiagnosticKind.Error).Select(m => m.Id).Distinct().ToList();
            var mips = ours.Header.Machine == ElfMachine.Mips && ids.SequenceEqual([DiagnosticId.ELF_ERR_InvalidRelocationSymbolIndex]);
            if (!mips)
            {
                diffs.Add($"LibObjectFile refused to write it back: {string.Join(", ", ids)}");
            }

            return new WriteBackResult(0, mips, diffs);
        }

        // The expected write-back: our bytes with every symbol's st_other masked to its visibility.
        var expected = (byte[])bytes.Clone();
        var masked = 0;
        foreach (var sec in ours.Sections.Where(s => s.Type is ElfConstants.ShtSymtab or ElfConstants.ShtDynsym))
        {
            var table = ours.GetSymbolTable(sec);
            for (var i = 0; i < table.Count; i++)
            {
                if ((table[i].Other & ~3) != 0)
                {
                    masked++;
                    expected[sec.Offset + ((ulong)i * sec.EntSize) + (ours.Header.Is64 ? 5UL : 13UL)] &= 3;
                }
            }
        }

        var again = back.ToArray();
        var first = Enumerable.Range(0, Math.Min(expected.Length, again.Length)).FirstOrDefault(i => expected[i] != again[i], -1);
        if (again.Length != expected.Length || first >= 0)
        {
            diffs.Add($"LibObjectFile's write-back: {again.Length} bytes for {expected.Length}, first difference at 0x{first:x}");
        }

        return new WriteBackResult(masked, false, diffs);
    }

    private static int CompareSections(ElfFile ours, Lof.ElfFile theirs, List<string> diffs)
    {
        var sections = theirs.Sections;
        if (sections.Count != ours.Sections.Count)
        {
            diffs.Add($"section count: ours {ours.Sections.Count}, LibObjectFile {sections.Count}");
        }

        for (var i = 0; i < Math.Min(sections.Count, ours.Sections.Count); i++)
        {
            var o = ours.Sections[i];
            var t = sections[i];
            var a = (o.Index, o.Name, o.Type, o.Flags, o.Address, o.Offset, o.Size, o.Link, o.Info, o.AddrAlign, o.EntSize);
            var (size, link) = (t.Size, (uint)t.Link.GetIndex());
            if (i == 0)
            {
                // Extended numbering: LibObjectFile moves section [0]'s sh_size (the section count, e_shnum being 0)
                // and sh_link (the name table's index, e_shstrndx being SHN_XINDEX) into its Layout, zeroing them.
                size = ours.Header.ShNum == 0 ? theirs.Layout.SectionHeaderCount : size;
                link = ours.Header.ShStrNdx == ElfConstants.ShnXindex ? theirs.Layout.SectionStringTableIndex : link;
            }

            var b = (t.SectionIndex, t.Name.Value ?? "", (uint)t.Type, (ulong)t.Flags, t.VirtualAddress, t.Position, size,
                link, (uint)t.Info.GetIndex(), t.VirtualAddressAlignment, t.TableEntrySize);
            if (a != b)
            {
                diffs.Add($"section [{i}]: ours {a}, LibObjectFile {b}");
            }
        }

        return sections.Count;
    }

    private static int CompareSymbols(ElfFile ours, Lof.ElfFile theirs, List<string> diffs)
    {
        var count = 0;
        foreach (var table in theirs.Sections.OfType<Lof.ElfSymbolTable>())
        {
            var mine = ours.GetSymbolTable(ours.Sections[table.SectionIndex]);
            var entries = table.Entries;
            if (entries.Count != mine.Count)
            {
                diffs.Add($"{table.Name.Value}: ours {mine.Count} symbols, LibObjectFile {entries.Count}");
                continue;
            }

            for (var i = 0; i < entries.Count; i++)
            {
                count++;
                var o = mine[i];
                var t = entries[i];
                // st_shndx: ours is already resolved through .symtab_shndx, and so is LibObjectFile's section link.
                var a = (mine.GetName(i), o.Value, o.Size, o.Binding, o.Type, o.Other, o.SectionIndex);
                var b = (t.Name.Value ?? "", t.Value, t.Size, (byte)t.Bind, (byte)t.Type, (byte)t.Visibility, (uint)t.SectionLink.GetIndex());
                if (a != b)
                {
                    diffs.Add($"{table.Name.Value} [{i}]: ours {a}, LibObjectFile {b}");
                }
            }
        }

        return count;
    }

    private static (int Tables, int Relocations, int Mips) CompareRelocations(ElfFile ours, Lof.ElfFile theirs, List<string> diffs)
    {
        int tables = 0, relocations = 0, mips = 0;
        var isMips64 = ours.Header.Machine == ElfMachine.Mips && ours.Header.Is64;
        var ourTables = ours.Sections.Count(s => s.IsRelocation);
        foreach (var table in theirs.Sections.OfType<Lof.ElfRelocationTable>())
        {
            tables++;
            var mine = ours.GetRelocations(ours.Sections[table.SectionIndex]);
            var name = table.Name.Value;
            var head = ((uint)mine.Target.Index, (uint)mine.Symbols.Section.Index, mine.IsRela, mine.Count);
            var theirHead = ((uint)table.Info.GetIndex(), (uint)table.Link.GetIndex(), table.IsRelocationWithAddends, table.Entries.Count);
            if (head != theirHead)
            {
                diffs.Add($"{name}: ours (target, symtab, rela, count) {head}, LibObjectFile {theirHead}");
                continue;
            }

            for (var i = 0; i < mine.Count; i++)
            {
                relocations++;
                var o = mine.At(i);
                var t = table.Entries[i];
                var b = (t.Offset, t.SymbolIndex, t.Type.Value, t.Addend);
                if (isMips64)
                {
                    // LibObjectFile's ELF64 split of MIPS64's r_info (little-endian): r_sym lands in its type, and
                    // r_type << 24 | r_type2 << 16 | r_type3 << 8 | r_ssym (RSS_UNDEF, 0) in its symbol index.
                    mips++;
                    b = (t.Offset, t.Type.Value, t.SymbolIndex >> 24, t.Addend);
                    var packed = (t.SymbolIndex >> 8) & 0xffff;
                    var ssym = t.SymbolIndex & 0xff;
                    if (packed != (uint)((o.Type2 << 8) | o.Type3) || ssym != 0)
                    {
                        diffs.Add($"{name} [{i}]: ours r_type2 {o.Type2} r_type3 {o.Type3}, LibObjectFile's packed symbol 0x{t.SymbolIndex:x8}");
                    }
                }

                var a = (o.Offset, o.SymbolIndex, o.Type, o.Addend);
                if (a != b)
                {
                    diffs.Add($"{name} [{i}]: ours (offset, sym, type, addend) {a}, LibObjectFile {b}");
                }
            }
        }

        if (tables != ourTables)
        {
            diffs.Add($"relocation tables: ours {ourTables}, LibObjectFile {tables}");
        }

        return (tables, relocations, mips);
    }
}
