using DynDbg.ElfSim.DynDbg;
using DynDbg.ElfSim.Elf;

namespace DynDbg.ElfSim.Checks;

/// <summary>
/// The diet plan's checkable statements (reference §8.1–8.23) on a decoded <see cref="DietImage"/>, and the
/// design hazards of §7 where the profile has them. A header pair is recognised the way
/// <c>is_dyndbg_header_pair</c> (v5 18/28) does, marker by marker, so each broken marker gets its own ID.
/// </summary>
public static class DietChecks
{
    public static IReadOnlyList<CheckFinding> Run(DietImage img)
    {
        var f = new List<CheckFinding>();
        var l = img.Layout;
        var d = img.Descriptors;
        var s = img.Sites;
        var descWhere = d.Origin;
        var n = img.Elements.Count;
        var m = img.SiteRecords.Count;

        // LP64 with JUMP_LABEL=n and no site pointer: a 24-byte header union before 16-byte records (§7.2). That size
        // is the hazard itself, reported below, not a separate broken invariant.
        var unionShaped = l.HeaderSize != l.RecordSize && d.Size >= (ulong)l.HeaderSize &&
                          (d.Size - (ulong)l.HeaderSize) % (ulong)l.RecordSize == 0;
        if (d.Size % (ulong)l.RecordSize != 0 && !unionShaped)
        {
            f.Add(Error(CheckIds.DescriptorSize, descWhere, -1, d.FileOffset,
                $"{d.Size} bytes is not a whole number of {l.RecordSize}-byte descriptors ({l.Name}); section_objs counts {n}"));
        }

        if (s.Size % (ulong)l.SiteSize != 0)
        {
            f.Add(Error(CheckIds.SiteSize, s.Origin, -1, s.FileOffset, $"{s.Size} bytes is not a whole number of {l.SiteSize}-byte sites"));
        }

        if (n != m)
        {
            f.Add(Error(CheckIds.CountMismatch, descWhere, -1, d.FileOffset,
                $"{n} descriptors but {m} sites: {(m > n ? $"site {n} has no descriptor" : $"descriptor {m} has no site")}"));
            // v5 13/28 and v6 07/34 alike (<20210529200029.205306-7-jim.cromie@gmail.com>): one num_debug for both.
            f.Add(Hazard(CheckIds.SharedCounter, descWhere, -1, d.FileOffset,
                $"find_module_sections (v5 13/28, v6 07/34) writes num_debug for {l.DescriptorSection} and then for __dyndbg_sites: the kernel would walk {m} descriptors"));
        }

        if (n > 1 << 14)
        {
            f.Add(Error(CheckIds.IndexOverflow, descWhere, 1 << 14, d.FileOffset + ((1UL << 14) * (ulong)l.RecordSize),
                $"{n} descriptors: _index:14 cannot hold element {1 << 14} and beyond"));
        }

        CheckHeaders(img, f);
        if (l.HasSitePointer)
        {
            CheckSitePointers(img, f);
        }

        if (l.Unit0Offset < l.HeaderFormatOffset + l.PointerSize && l.Unit0Offset + 4 > l.HeaderFormatOffset)
        {
            f.Add(Hazard(CheckIds.IndexOverlapsFormat, descWhere, 0, d.FileOffset + (ulong)l.Unit0Offset,
                $"the record view's lineno/_index unit (+{l.Unit0Offset}) overlaps the header view's format pointer (+{l.HeaderFormatOffset}): " +
                "__ddebug_add_module's tab[0]._index = base rewrites bits of header.format, so the header stops testing as a header"));
        }

        if (l.HeaderSize != l.RecordSize)
        {
            var shape = unionShaped
                ? $"; the array is {l.HeaderSize} + {l.RecordSize}x{(d.Size - (ulong)l.HeaderSize) / (ulong)l.RecordSize} = {d.Size} bytes and section_objs counts {n}"
                : "";
            f.Add(Hazard(CheckIds.UnionSize, descWhere, 1, d.FileOffset + (ulong)l.RecordSize,
                $"sizeof(union _ddebug_header) is {l.HeaderSize} but sizeof(struct _ddebug) is {l.RecordSize}: element 1 starts inside the header, and dp - dp->_index misses it{shape}"));
        }

        return f;
    }

    /// <summary>Header pairs: element k whose site's filename loops back into the descriptor array.</summary>
    private static void CheckHeaders(DietImage img, List<CheckFinding> f)
    {
        var l = img.Layout;
        var d = img.Descriptors;
        var where = d.Origin;
        var headers = new List<int>();
        var count = Math.Min(img.Elements.Count, img.SiteRecords.Count);
        for (var k = 0; k < count; k++)
        {
            if (img.SiteRecords[k].Filename is { } fn && fn.Section == d.Section.Index && fn.Offset >= d.Start && fn.Offset - d.Start < d.Size)
            {
                headers.Add(k);
            }
        }

        if (headers.Count == 0 || headers[0] != 0)
        {
            var unplaced = img.File.FindSection(DietLayout.HeaderSection) is not null;
            var msg = headers.Count == 0
                ? unplaced
                    ? $"no header pair at element 0: it is still in its own {DietLayout.HeaderSection} / {DietLayout.SiteHeaderSection} sections (not linked with linker/module.lds)"
                    : "no header pair: no site loops back into the descriptor array (header missing)"
                : $"the header pair is element {headers[0]}, not element 0: __dyndbg[0]->site[N] cannot find it";
            f.Add(Error(CheckIds.HeaderNotFirst, where, headers.Count == 0 ? 0 : headers[0], d.FileOffset, msg));
            return;
        }

        if (headers.Count > 1)
        {
            f.Add(Error(CheckIds.ExtraHeader, where, headers[1], d.FileOffset + ((ulong)headers[1] * (ulong)l.RecordSize),
                $"{headers.Count} header pairs, at elements {string.Join(", ", headers)}: the linker kept more than one .gnu.linkonce.dyndbg"));
        }

        if (img.Header is not { } h)
        {
            // Element 0 exists but the header view reaches past the array (a header view larger than a record).
            f.Add(Error(CheckIds.HeaderNotFirst, where, 0, d.FileOffset,
                $"the descriptor array is {d.Size} bytes, too short for the header view at element 0 (its lineno/_index unit is at +{l.HeaderUnit0Offset})"));
            return;
        }

        var site = img.SiteRecords[0];
        var at = d.FileOffset;
        if (h.LineNo != 0)
        {
            f.Add(Error(CheckIds.HeaderLineno, where, 0, at, $"header.lineno is {h.LineNo}, expected 0"));
        }

        if (h.Format is null || h.Format != site.Modname)
        {
            f.Add(Error(CheckIds.HeaderFormat, where, 0, at + (ulong)l.HeaderFormatOffset,
                $"header.format ({Describe(img, h.Format)}) is not the same pointer as site_header.modname ({Describe(img, site.Modname)})"));
        }

        if (site.Modname is null || site.Modname != site.Function)
        {
            f.Add(Error(CheckIds.HeaderFunction, img.Sites.Origin, 0, img.Sites.FileOffset + (ulong)l.SiteFunctionOffset,
                $"site_header.modname ({Describe(img, site.Modname)}) is not the same pointer as site_header.function ({Describe(img, site.Function)})"));
        }

        var self = new ElfLocation(d.Section.Index, d.Start);
        if (site.Filename != self)
        {
            f.Add(Error(CheckIds.Loopback, img.Sites.Origin, 0, img.Sites.FileOffset + (ulong)l.SiteFilenameOffset,
                $"site_header.filename ({Describe(img, site.Filename)}) does not loop back to the header ({Describe(img, self)})"));
        }

        // SITE_CHK and v6 (28/34: .site = &_LINKONCE_dyndbg_site_header) initialise header.site; v5 28/28 leaves it
        // NULL and __ddebug_add_module fills it in ("fixup missed init").
        var sites0 = new ElfLocation(img.Sites.Section.Index, img.Sites.Start);
        var nullAllowed = l.Variant == DietVariant.V5NoSite;
        if (h.Site != sites0 && !(nullAllowed && h.Site is null))
        {
            f.Add(Error(CheckIds.HeaderSite, where, 0, at + (ulong)l.HeaderSiteOffset,
                $"header.site ({Describe(img, h.Site)}) is not &__dyndbg_sites[0] ({Describe(img, sites0)})"));
        }
    }

    /// <summary>SITE_CHK: every descriptor's site pointer is the parallel site record (BUG_ON in v5 25/28).</summary>
    private static void CheckSitePointers(DietImage img, List<CheckFinding> f)
    {
        var l = img.Layout;
        var wrong = new List<int>();
        for (var k = 1; k < Math.Min(img.Elements.Count, img.SiteRecords.Count); k++)
        {
            var expected = new ElfLocation(img.Sites.Section.Index, img.Sites.Start + ((ulong)k * (ulong)l.SiteSize));
            if (img.Elements[k].Site != expected)
            {
                wrong.Add(k);
            }
        }

        if (wrong.Count > 0)
        {
            var k = wrong[0];
            f.Add(Error(CheckIds.SitePointer, img.Descriptors.Origin, k, img.Elements[k].FileOffset + (ulong)l.SitePointerOffset,
                $"desc[{k}].site is {Describe(img, img.Elements[k].Site)}, not &sites[{k}]{(wrong.Count > 1 ? $" ({wrong.Count} elements wrong)" : "")}"));
        }
    }

    private static string Describe(DietImage img, ElfLocation? loc)
    {
        if (loc is not { } l)
        {
            return "NULL";
        }

        var sec = img.File.Sections[l.Section];
        var d = img.Descriptors;
        if (l.Section == d.Section.Index && l.Offset >= d.Start && l.Offset - d.Start < d.Size)
        {
            var rel = l.Offset - d.Start;
            return $"&desc[{rel / (ulong)img.Layout.RecordSize}]{(rel % (ulong)img.Layout.RecordSize != 0 ? $"+{rel % (ulong)img.Layout.RecordSize}" : "")}";
        }

        var s = img.Sites;
        if (l.Section == s.Section.Index && l.Offset >= s.Start && l.Offset - s.Start < s.Size)
        {
            return $"&sites[{(l.Offset - s.Start) / (ulong)img.Layout.SiteSize}]";
        }

        return $"{sec.Name}+0x{l.Offset:x}";
    }

    private static CheckFinding Error(string id, string where, int element, ulong offset, string message) =>
        new(id, CheckSeverity.Error, CheckIds.Reference(id), where, element, offset, message);

    private static CheckFinding Hazard(string id, string where, int element, ulong offset, string message) =>
        new(id, CheckSeverity.Hazard, CheckIds.Reference(id), where, element, offset, message);
}
