using DynDbg.ElfSim.DynDbg;
using DynDbg.ElfSim.Elf;

namespace DynDbg.ElfSim.Control;

/// <summary>
/// A diet-plan image as the v5/v6 <c>lib/dynamic_debug.c</c> meets it: each descriptor with the site it reaches
/// (as a <see cref="DdebugRecord"/> whose <c>Modname</c> is the parallel site's, the one
/// <c>dynamic_debug_init</c> cuts slices on, §6.2), whether it has a site at all, and whether element 0 is the
/// header pair. Everything is read while the file is open, so the file can be unmapped afterwards.
/// </summary>
public sealed record DietInput(
    string Path,
    ImageKind Kind,
    string? ModName,
    DietVariant Variant,
    bool JumpLabel,
    IReadOnlyList<DdebugRecord> Records,
    IReadOnlyList<bool> HasSite,
    bool HeaderAtZero)
{
    public static DietInput From(DietImage img)
    {
        var (kind, _, modName) = MainlineImage.Classify(img.File);
        var l = img.Layout;
        var d = img.Descriptors;
        var n = Math.Min(img.Elements.Count, img.SiteRecords.Count);
        var records = new DdebugRecord[n];
        var hasSite = new bool[n];
        for (var i = 0; i < n; i++)
        {
            var e = img.Elements[i];
            var site = SiteOf(img, i);
            hasSite[i] = site is not null;
            var key = -1;
            ulong keyType = 0;
            if (l.KeyOffset >= 0)
            {
                var at = d.Start + ((ulong)i * (ulong)l.RecordSize) + (ulong)l.KeyOffset;
                key = (int)img.Memory.ReadU32(d.Section, at);
                keyType = img.Memory.ReadWord(d.Section, at + (ulong)l.PointerSize, l.PointerSize);
            }

            records[i] = new DdebugRecord(i, e.FileOffset, img.SiteRecords[i].ModnameText ?? "", site?.FunctionText ?? "",
                site?.FilenameText ?? "", e.FormatText ?? "", e.LineNo, -1, e.Flags, key, keyType,
                default, default, default, e.Format ?? default);
        }

        // The header pair's site filename loops back to element 0 (v5 18/28, §8.10); DietChecks reports the rest.
        var header = n > 0 && img.SiteRecords[0].Filename == new ElfLocation(d.Section.Index, d.Start);
        return new DietInput(img.File.Path, kind, modName, l.Variant, l.JumpLabel, records, hasSite, header);
    }

    /// <summary>
    /// <c>ddebug_site_get</c>: with SITE_CHK it returns <c>dp->site</c> (NULL when the pointer is NULL; a pointer
    /// outside the sites array is a BUG_ON in 25/28 and is treated as NULL here); without it
    /// <c>&amp;dh->site[dp->_index]</c> (v6: <c>_map</c>), which after <c>__ddebug_add_module</c> numbers the
    /// elements from the header is the parallel site record (§6.15, §6.16; invariants 17, 18). v6 packing moves
    /// records of the same function pointer together, so the site reached shows the same strings.
    /// </summary>
    private static DietSite? SiteOf(DietImage img, int i)
    {
        if (!img.Layout.HasSitePointer)
        {
            return img.SiteRecords[i];
        }

        if (img.Elements[i].Site is not { } p || p.Section != img.Sites.Section.Index || p.Offset < img.Sites.Start)
        {
            return null;
        }

        var rel = p.Offset - img.Sites.Start;
        var k = rel / (ulong)img.Layout.SiteSize;
        return rel % (ulong)img.Layout.SiteSize == 0 && k < (ulong)img.SiteRecords.Count ? img.SiteRecords[(int)k] : null;
    }
}
