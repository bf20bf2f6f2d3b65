using DynDbg.ElfSim.Elf;

namespace DynDbg.ElfSim.DynDbg;

/// <summary>
/// A diet-plan image: the descriptor array (<c>__dyndbg</c>, v6 <c>__dyndbgs</c>) and the parallel
/// <c>__dyndbg_sites</c> array, decoded element by element the way the kernel indexes them (reference §6), with
/// element 0 also read through the header view. Decoding never judges: a missing header or a broken pointer is
/// left for <see cref="Checks"/> to report; only unreadable ELF raises.
/// </summary>
public sealed class DietImage
{
    private DietImage(ElfFile file, ElfMemory memory, DietLayout layout, IReadOnlyList<string> evidence, DdebugRegion descriptors,
        DdebugRegion sites, DietElement[] elements, DietSite[] siteRecords, DietHeaderView? header)
    {
        File = file;
        Memory = memory;
        Layout = layout;
        Evidence = evidence;
        Descriptors = descriptors;
        Sites = sites;
        Elements = elements;
        SiteRecords = siteRecords;
        Header = header;
    }

    public ElfFile File { get; }
    public ElfMemory Memory { get; }
    public DietLayout Layout { get; }
    public IReadOnlyList<string> Evidence { get; }
    public DdebugRegion Descriptors { get; }
    public DdebugRegion Sites { get; }
    public IReadOnlyList<DietElement> Elements { get; }
    public IReadOnlyList<DietSite> SiteRecords { get; }

    /// <summary>Element 0 through the header view; null for an empty descriptor array.</summary>
    public DietHeaderView? Header { get; }

    /// <summary>True when the file has a <c>__dyndbg_sites</c> array, i.e. it was built with the diet plan.</summary>
    public static bool IsDiet(ElfFile file) => DdebugRegionLocator.Find(file, DietLayout.SiteSection) is not null;

    /// <summary>Decodes a diet image, or returns null when the file has no sites array.</summary>
    public static DietImage? Load(ElfFile file, DietVariant? forced = null, ElfMemory? memory = null)
    {
        var sites = DdebugRegionLocator.Find(file, DietLayout.SiteSection);
        if (sites is null)
        {
            return null;
        }

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
        var elements = new DietElement[descriptors.Size / (ulong)layout.RecordSize];
        for (var i = 0; i < elements.Length; i++)
        {
            elements[i] = ReadElement(memory, descriptors, layout, i);
        }

        var siteRecords = new DietSite[sites.Size / (ulong)layout.SiteSize];
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

        return new DietImage(file, memory, layout, evidence, descriptors, sites, elements, siteRecords, header);
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

        throw new ElfFormatException(ErrorIds.LayoutUndecidable, file.Path, descriptors.Origin, descriptors.FileOffset,
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
        return new DietElement(i, sec.Offset + at, site, format, TryString(memory, format), l.LineNo.Get(unit0), l.Index.Get(unit0),
            l.Map?.Get(unit1), l.Flags.Get(unit1));
    }

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
        catch (ElfFormatException e) when (e.Id is ErrorIds.UnresolvedPointer or ErrorIds.PointerIntoNowhere or ErrorIds.UnsupportedRelocation)
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
        catch (ElfFormatException)
        {
            return null;
        }
    }
}
