using DynDbg.ElfSim.Diagnostics;
using DynDbg.ElfSim.Elf;

namespace DynDbg.ElfSim.DynDbg;

/// <summary>
/// A diet-plan image: the descriptor array (<c>__dyndbg</c>, v6 <c>__dyndbgs</c>) and the parallel
/// <c>__dyndbg_sites</c> array, decoded element by element the way the kernel indexes them (reference §6), with
/// element 0 also read through the header view. Decoding never judges: a missing header or a broken pointer is
/// left for <see cref="Checks"/> to report; only unreadable ELF raises.
/// </summary>
public sealed class DietImage : KernelImage
{
    private readonly IReadOnlyList<string> evidence;
    private readonly Lazy<(DdebugRecord[] Records, bool[] HasSite)> walked;

    private DietImage(ElfFile file, ElfMemory memory, ImageClass classified, DietLayout layout, IReadOnlyList<string> evidence,
        DdebugRegion descriptors, DdebugRegion sites, DietElement[] elements, DietSite[] siteRecords, DietHeaderView? header)
        : base(file, memory, classified)
    {
        Layout = layout;
        this.evidence = evidence;
        Descriptors = descriptors;
        Sites = sites;
        Elements = elements;
        SiteRecords = siteRecords;
        Header = header;
        // Built from the elements and sites already read (no file access), and only when control asks: check and
        // load never walk them.
        walked = new Lazy<(DdebugRecord[], bool[])>(WalkedRecords);

        // The header pair's site filename loops back to element 0 (v5 18/28, §8.10); DietChecks reports the rest.
        HeaderAtZero = elements.Length > 0 && siteRecords.Length > 0
            && siteRecords[0].Filename == new ElfLocation(descriptors.Section.Index, descriptors.Start);
    }

    public DietLayout Layout { get; }
    public override string LayoutName => Layout.Name;
    public override IReadOnlyList<string> Evidence => evidence;

    /// <summary>
    /// Each descriptor with the site <c>ddebug_site_get</c> reaches, as a record whose <c>Modname</c> is the parallel
    /// site's (the one v5 <c>dynamic_debug_init</c> cuts slices on, §6.2).
    /// </summary>
    public override IReadOnlyList<DdebugRecord> Records => walked.Value.Records;

    /// <summary>Whether descriptor i reaches a site at all (<see cref="Records"/> has empty strings where not).</summary>
    public IReadOnlyList<bool> HasSite => walked.Value.HasSite;

    /// <summary>Whether element 0 is the header pair (its site's filename loops back to element 0).</summary>
    public bool HeaderAtZero { get; }

    public DdebugRegion Descriptors { get; }
    public DdebugRegion Sites { get; }
    public IReadOnlyList<DietElement> Elements { get; }
    public IReadOnlyList<DietSite> SiteRecords { get; }

    /// <summary>Element 0 through the header view; null for an empty descriptor array.</summary>
    public DietHeaderView? Header { get; }

    /// <summary>Decodes a diet image, or returns null when the file has no sites array.</summary>
    public static DietImage? Load(ElfFile file, DietVariant? forced = null, ElfMemory? memory = null) =>
        DdebugRegionLocator.Find(file, DietLayout.SiteSection) is { } sites ? Read(file, sites, forced, memory) : null;

    /// <summary>Decodes the image whose sites array <see cref="ImageReader"/> found.</summary>
    internal static DietImage Read(ElfFile file, DdebugRegion sites, DietVariant? forced, ElfMemory? memory = null)
    {
        var fileMemory = ElfMemory.For(file);
        memory ??= fileMemory;
        var evidence = new List<string>();
        var v6Section = DdebugRegionLocator.Find(file, "__dyndbgs");
        var descriptors = v6Section ?? DdebugRegionLocator.Find(file, "__dyndbg")
            ?? new DdebugRegion(sites.Section, sites.Start, 0, "no descriptor array");
        var variant = forced ?? DecideVariant(file, memory, descriptors, sites, v6Section is not null, evidence);
        if (forced is not null)
        {
            evidence.Add($"--diet {DietLayout.VariantName(variant)}");
        }

        var layout = DecideLayout(file, variant, descriptors, evidence);
        var elements = new DietElement[CheckCount(file, descriptors, descriptors.Size / (ulong)layout.RecordSize, "descriptor")];
        for (var i = 0; i < elements.Length; i++)
        {
            elements[i] = ReadElement(memory, descriptors, layout, i);
        }

        var siteRecords = new DietSite[CheckCount(file, sites, sites.Size / (ulong)layout.SiteSize, "site")];
        for (var i = 0; i < siteRecords.Length; i++)
        {
            siteRecords[i] = ReadSite(memory, sites, layout, i);
        }

        DietHeaderView? header = null;
        if (descriptors.Size >= (ulong)(layout.HeaderUnit0Offset + 4))
        {
            var at = descriptors.Start;
            header = new DietHeaderView(
                TryPointer(memory, descriptors.Section, at + (ulong)layout.HeaderSiteOffset),
                TryPointer(memory, descriptors.Section, at + (ulong)layout.HeaderFormatOffset),
                layout.LineNo.Get(memory.ReadU32(descriptors.Section, at + (ulong)layout.HeaderUnit0Offset)),
                layout.Index.Get(memory.ReadU32(descriptors.Section, at + (ulong)layout.HeaderUnit0Offset)));
        }

        return new DietImage(file, memory, Classify(file), layout, evidence, descriptors, sites, elements, siteRecords, header);
    }

    /// <summary>The descriptors as the diet kernel's table walk meets them, from what the decode already read (the
    /// static key words included), so it needs no file access and the image outlives its mapping.</summary>
    private (DdebugRecord[] Records, bool[] HasSite) WalkedRecords()
    {
        var n = Math.Min(Elements.Count, SiteRecords.Count);
        var records = new DdebugRecord[n];
        var hasSite = new bool[n];
        for (var i = 0; i < n; i++)
        {
            var e = Elements[i];
            var site = SiteOf(i);
            hasSite[i] = site is not null;
            records[i] = new DdebugRecord(i, e.FileOffset, SiteRecords[i].ModnameText ?? "", site?.FunctionText ?? "",
                site?.FilenameText ?? "", e.FormatText ?? "", e.LineNo, -1, e.Flags, e.KeyEnabled, e.KeyType,
                default, default, default, e.Format ?? default);
        }

        return (records, hasSite);
    }

    /// <summary>
    /// <c>ddebug_site_get</c>: with SITE_CHK it returns <c>dp->site</c> (NULL when the pointer is NULL; a pointer
    /// outside the sites array is a BUG_ON in 25/28 and is treated as NULL here); without it
    /// <c>&amp;dh->site[dp->_index]</c> (v6: <c>_map</c>), which after <c>__ddebug_add_module</c> numbers the
    /// elements from the header is the parallel site record (§6.15, §6.16; invariants 17, 18). v6 packing moves
    /// records of the same function pointer together, so the site reached shows the same strings.
    /// </summary>
    private DietSite? SiteOf(int i)
    {
        if (!Layout.HasSitePointer)
        {
            return SiteRecords[i];
        }

        if (Elements[i].Site is not { } p || p.Section != Sites.Section.Index || p.Offset < Sites.Start)
        {
            return null;
        }

        var rel = p.Offset - Sites.Start;
        var k = rel / (ulong)Layout.SiteSize;
        return rel % (ulong)Layout.SiteSize == 0 && k < (ulong)SiteRecords.Count ? SiteRecords[(int)k] : null;
    }

    /// <summary>
    /// v6 by its section name; otherwise SITE_CHK (v5) when descriptor pointers at record offset 0 reach the sites
    /// array, v5 28/28 when they reach strings instead.
    /// </summary>
    private static DietVariant DecideVariant(ElfFile file, ElfMemory memory, DdebugRegion descriptors, DdebugRegion sites, bool v6, List<string> evidence)
    {
        if (v6)
        {
            evidence.Add("descriptor section __dyndbgs: v6 (renamed in v6 04/34)");
            return DietVariant.V6;
        }

        // Any element size works for this probe: look at every pointer-aligned slot that a record could start at.
        var p = (ulong)file.PointerSize;
        var intoSites = 0;
        var elsewhere = 0;
        for (var off = 0UL; off + p <= descriptors.Size; off += 8)
        {
            var at = TryPointer(memory, descriptors.Section, descriptors.Start + off);
            if (at is { } loc)
            {
                if (loc.Section == sites.Section.Index && loc.Offset >= sites.Start && loc.Offset - sites.Start < sites.Size)
                {
                    intoSites++;
                }
                else
                {
                    elsewhere++;
                }
            }
        }

        if (intoSites > 1 || (intoSites == 1 && elsewhere <= 1))
        {
            evidence.Add($"{intoSites} descriptor pointers reach __dyndbg_sites: v5 with the site pointer (SITE_CHK)");
            return DietVariant.V5;
        }

        evidence.Add("no descriptor points into __dyndbg_sites beyond the header: v5 28/28 (site pointer dropped)");
        return DietVariant.V5NoSite;
    }

    /// <summary>JUMP_LABEL from the header's symbol size (the union's size), else the records' symbol sizes.</summary>
    private static DietLayout DecideLayout(ElfFile file, DietVariant variant, DdebugRegion descriptors, List<string> evidence)
    {
        var p = file.PointerSize;
        var be = file.Header.IsBigEndian;
        var jl = DietLayout.Create(variant, p, be, true);
        var nojl = DietLayout.Create(variant, p, be, false);
        var symtab = file.SymbolTable;
        if (symtab is not null)
        {
            var header = symtab.IndexOf("_LINKONCE_dyndbg_header");
            if (header > 0 && symtab[header].Size is var hs && (hs == (ulong)jl.HeaderSize) != (hs == (ulong)nojl.HeaderSize))
            {
                evidence.Add($"_LINKONCE_dyndbg_header is {hs} bytes: CONFIG_JUMP_LABEL={(hs == (ulong)jl.HeaderSize ? "y" : "n")}");
                return hs == (ulong)jl.HeaderSize ? jl : nojl;
            }

            var sizes = symtab.Symbols.ToArray()
                .Where(s => s.Type == ElfConstants.SttObject && s.SectionIndex == (uint)descriptors.Section.Index && s.Size > 0)
                .GroupBy(s => s.Size).OrderByDescending(g => g.Count()).Select(g => g.Key).ToArray();
            if (sizes.Length > 0 && (sizes[0] == (ulong)jl.RecordSize) != (sizes[0] == (ulong)nojl.RecordSize))
            {
                evidence.Add($"descriptor symbols are {sizes[0]} bytes: CONFIG_JUMP_LABEL={(sizes[0] == (ulong)jl.RecordSize ? "y" : "n")}");
                return sizes[0] == (ulong)jl.RecordSize ? jl : nojl;
            }
        }

        var fitsJl = descriptors.Size % (ulong)jl.RecordSize == 0;
        var fitsNoJl = descriptors.Size % (ulong)nojl.RecordSize == 0;
        if (fitsJl != fitsNoJl)
        {
            evidence.Add($"descriptor array of {descriptors.Size} bytes is a whole number of {(fitsJl ? jl : nojl).RecordSize}-byte records only");
            return fitsJl ? jl : nojl;
        }

        throw new DyndbgFormatException(DyndbgErrorIds.LayoutUndecidable, file.Path, descriptors.Origin, descriptors.FileOffset,
            $"cannot tell JUMP_LABEL on ({jl.RecordSize}-byte records) from off ({nojl.RecordSize}); name the layout with --profile");
    }

    private static DietElement ReadElement(ElfMemory memory, DdebugRegion region, DietLayout l, int i)
    {
        var at = region.Start + ((ulong)i * (ulong)l.RecordSize);
        var sec = region.Section;
        var site = l.HasSitePointer ? TryPointer(memory, sec, at + (ulong)l.SitePointerOffset) : null;
        var format = TryPointer(memory, sec, at + (ulong)l.FormatOffset);
        var unit0 = memory.ReadU32(sec, at + (ulong)l.Unit0Offset);
        var unit1 = memory.ReadU32(sec, at + (ulong)l.Unit1Offset);
        var (key, keyType) = l.KeyOffset >= 0
            ? ((int)memory.ReadU32(sec, at + (ulong)l.KeyOffset), memory.ReadWord(sec, at + (ulong)l.KeyOffset + (ulong)l.PointerSize, l.PointerSize))
            : (-1, 0UL);
        return new DietElement(i, sec.Offset + at, site, format, TryString(memory, format), l.LineNo.Get(unit0), l.Index.Get(unit0),
            l.Map?.Get(unit1), l.Flags.Get(unit1), key, keyType);
    }

    /// <summary>The most records of one kind a diet image is decoded with. Unlike the mainline table, which is read
    /// record by record (<see cref="DdebugDecoder"/>), a diet image is decoded whole, about a hundred bytes per
    /// record; past this a crafted object (AFL++: a 587 MB zero-filled __dyndbg_sites, 24 million sites) would take
    /// gigabytes. Real kernels have tens of thousands of call sites; the scale tests a million.</summary>
    internal const ulong MaxRecords = 1UL << 22;

    private static int CheckCount(ElfFile file, DdebugRegion region, ulong count, string what) =>
        count <= MaxRecords ? (int)count
            : throw new DyndbgFormatException(DyndbgErrorIds.DietImage, file.Path, region.Origin, region.FileOffset,
                $"{count:#,0} {what} records in 0x{region.Size:x} bytes: past the {MaxRecords:#,0} a diet image is decoded with (it is read whole)");

    private static DietSite ReadSite(ElfMemory memory, DdebugRegion region, DietLayout l, int i)
    {
        var at = region.Start + ((ulong)i * (ulong)l.SiteSize);
        var sec = region.Section;
        var mod = TryPointer(memory, sec, at + (ulong)l.SiteModnameOffset);
        var file = TryPointer(memory, sec, at + (ulong)l.SiteFilenameOffset);
        var fn = TryPointer(memory, sec, at + (ulong)l.SiteFunctionOffset);
        return new DietSite(i, sec.Offset + at, mod, file, fn, TryString(memory, mod), TryString(memory, file), TryString(memory, fn));
    }

    /// <summary>A pointer, or null when it is NULL or does not resolve (the checks say why it matters).</summary>
    private static ElfLocation? TryPointer(ElfMemory memory, ElfSection sec, ulong offset)
    {
        try
        {
            return memory.ReadPointer(sec, offset, "diet element");
        }
        catch (DiagnosticException e) when (e.Id is ErrorIds.UnresolvedPointer or ErrorIds.PointerIntoNowhere or ErrorIds.UnsupportedRelocation)
        {
            return null;
        }
    }

    /// <summary>The string a pointer reaches, or null: strings live in read-only sections, while the loopback and
    /// the site pointers reach the (writable) dyndbg arrays themselves.</summary>
    private static string? TryString(ElfMemory memory, ElfLocation? loc)
    {
        if (loc is not { } l || (memory.File.Sections[l.Section].Flags & ElfConstants.ShfWrite) != 0)
        {
            return null;
        }

        try
        {
            return memory.ReadString(l, "diet string");
        }
        catch (DiagnosticException)
        {
            return null;
        }
    }
}
