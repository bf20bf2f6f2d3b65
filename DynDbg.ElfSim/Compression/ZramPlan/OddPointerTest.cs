using DynDbg.ElfSim.DynDbg;
using DynDbg.ElfSim.Elf;

namespace DynDbg.ElfSim.Compression.ZramPlan;

/// <summary>
/// The July 2020 plan's patch 2 (reference §5): a zhandle is stored where a pointer was and told from it by being
/// odd. A pointer to a string can be odd too (<c>.rodata.str1.1</c> is byte-aligned), and such a record would be
/// taken for a zhandle. This counts them with the addresses the pointers hold at run time: a linked image's values
/// as relocated in the file; a relocatable object's as the 6.1 loader emulation places its sections
/// (<see cref="SiteTable.RunTimeAddress"/>, the same placement <c>compress</c> uses).
/// </summary>
public static class OddPointerTest
{
    /// <summary>The <c>is_zhandle</c> bit: 6.1 uses bits 0-4 (pmflt), later mainline bit 5 (s), diet v5 bit 7 (D).</summary>
    public const uint IsZhandleBit = 1u << 6;

    /// <summary>The flag bits 6.1 defines (<c>_DPRINTK_FLAGS_PRINT</c> .. <c>_DPRINTK_FLAGS_INCL_TID</c>).</summary>
    public const int FlagBitsIn61 = 5;

    public static readonly string[] FieldNames = ["modname", "function", "filename", "format"];

    public static OddPointerResult Run(ElfFile file, MainlineImage image)
    {
        var placement = Placement(file, image);
        if (image.Region is null || image.Decision is not { } decision || image.Records.Count == 0)
        {
            return OddPointerResult.None(placement);
        }

        var address = SiteTable.RunTimeAddress(file, image);
        var undecided = image.Memory is LinkedMemory || image.Kind == ImageKind.Module ? null : UndecidedSections(file);
        var byField = new int[4];
        int any = 0, dependent = 0, flagged = 0;
        var first = new List<OddPointerSite>();
        var at = new ElfLocation[4];
        foreach (var r in image.Records)
        {
            (at[0], at[1], at[2], at[3]) = (r.ModnameAt, r.FunctionAt, r.FilenameAt, r.FormatAt);
            var odd = 0;
            var fields = new List<string>();
            for (var f = 0; f < 4; f++)
            {
                if ((address(at[f]) & 1) != 0)
                {
                    byField[f]++;
                    odd++;
                    fields.Add(FieldNames[f]);
                }
            }

            if (undecided is not null && at.Any(l => undecided[l.Section]))
            {
                dependent++;
            }

            if ((r.Flags & IsZhandleBit) != 0)
            {
                flagged++;
            }

            if (odd > 0)
            {
                any++;
                if (first.Count < OddPointerResult.Named)
                {
                    first.Add(new OddPointerSite(file.Path, r.Index, r.Filename, r.LineNo, r.Function, fields));
                }
            }
        }

        return new OddPointerResult(any, byField[0], byField[1], byField[2], byField[3], dependent, placement, first,
            Flag(decision.Layout, any, flagged));
    }

    /// <summary>What <c>is_zhandle</c> costs in <paramref name="layout"/>: a free flags bit, else a padding byte, else a word.</summary>
    public static ZhandleFlag Flag(DdebugLayout layout, int misreadsByParity, int misreadsWithFlag)
    {
        var p = layout.PointerSize;
        var used = (4 * p) + 4 + (layout.JumpLabel ? 4 + p : 0); // 4 pointers, the bitfield unit, static_key {atomic_t, long}
        var padding = layout.RecordSize - used;
        var free = layout.Flags.Width - FlagBitsIn61;
        var cost = free > 0 ? 0 : padding > 0 ? 0 : 8;
        return new ZhandleFlag(IsZhandleBit, free, padding, cost, misreadsByParity, misreadsWithFlag);
    }

    /// <summary>How the final addresses were found, in words.</summary>
    public static string Placement(ElfFile file, MainlineImage image) =>
        image.Memory is LinkedMemory ? "linked image: the relocated values in the file"
        : image.Kind == ImageKind.Module ? "module: sections placed by the 6.1 loader emulation, relocations applied"
        : "relocatable built-in object: sections placed as the loader places a module (the vmlinux link is not emulated)";

    /// <summary>
    /// Sections of a relocatable built-in object whose final parity only the vmlinux link decides: byte-aligned, or
    /// merged strings (the final link merges and moves them; <c>ld -r</c> does not).
    /// </summary>
    private static bool[] UndecidedSections(ElfFile file)
    {
        var undecided = new bool[file.Sections.Count];
        foreach (var s in file.Sections)
        {
            undecided[s.Index] = s.IsAlloc && (s.AddrAlign < 2 || (s.Flags & (ElfConstants.ShfMerge | ElfConstants.ShfStrings)) == (ElfConstants.ShfMerge | ElfConstants.ShfStrings));
        }

        return undecided;
    }
}
