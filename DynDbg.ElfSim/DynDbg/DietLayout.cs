namespace DynDbg.ElfSim.DynDbg;

/// <summary>
/// A diet-plan layout: the split descriptor (<c>struct _ddebug</c> without the site columns), the parallel
/// <c>struct _ddebug_site { modname, filename, function }</c> (v5 03/28's hierarchy order), and the header view of
/// element 0 (the unionized <c>union _ddebug_header</c> of v5 27/28). Offsets are bytes from the record start;
/// bitfields are (unit offset, field) pairs because <c>flags</c> starts a new 32-bit unit after
/// <c>lineno:18 + _index:14</c> fill the first.
/// </summary>
public sealed record DietLayout(
    DietVariant Variant,
    int PointerSize,
    bool BigEndian,
    bool JumpLabel,
    int RecordSize,
    int SitePointerOffset,
    int FormatOffset,
    int Unit0Offset,
    int Unit1Offset,
    BitField LineNo,
    BitField Index,
    BitField? Map,
    BitField Flags,
    int KeyOffset,
    int HeaderSize,
    int HeaderSiteOffset,
    int HeaderFormatOffset,
    int HeaderUnit0Offset)
{
    /// <summary><c>struct _ddebug_site</c>: three pointers, <c>__aligned(8)</c>: 24 bytes on LP64, 16 on ILP32.</summary>
    public int SiteSize => AlignUp(3 * PointerSize, 8);

    public int SiteModnameOffset => 0;
    public int SiteFilenameOffset => PointerSize;
    public int SiteFunctionOffset => 2 * PointerSize;

    public string DescriptorSection => Variant == DietVariant.V6 ? "__dyndbgs" : "__dyndbg";
    public const string SiteSection = "__dyndbg_sites";
    public const string HeaderSection = ".gnu.linkonce.dyndbg";
    public const string SiteHeaderSection = ".gnu.linkonce.dyndbg_site";

    public bool HasSitePointer => SitePointerOffset >= 0;

    /// <summary>Stable name for <c>--diet</c>: <c>v5</c>, <c>v5-nosite</c>, <c>v6</c>, plus the ABI part, e.g. <c>v5-64le-jl</c>.</summary>
    public string Name => $"{VariantName(Variant)}-{PointerSize * 8}{(BigEndian ? "be" : "le")}-{(JumpLabel ? "jl" : "nojl")}";

    public static string VariantName(DietVariant v) => v switch
    {
        DietVariant.V5 => "v5",
        DietVariant.V5NoSite => "v5-nosite",
        _ => "v6",
    };

    public static DietVariant? ParseVariant(string name) => name switch
    {
        "v5" => DietVariant.V5,
        "v5-nosite" => DietVariant.V5NoSite,
        "v6" => DietVariant.V6,
        _ => null,
    };

    /// <summary>
    /// Lays the structs out as the C compiler does. The header view (v5 27/28's anonymous struct in
    /// <c>union _ddebug_header</c>) is <c>{ site*, format, lineno:18, _index:14, flags:8 }</c> in every variant, so
    /// without the record's site pointer its fields sit one pointer further on than the record's (reference §7.1),
    /// and the union is as large as the larger of the two views (§7.2).
    /// </summary>
    public static DietLayout Create(DietVariant variant, int pointerSize, bool bigEndian, bool jumpLabel)
    {
        var p = pointerSize;
        var sitePtr = variant == DietVariant.V5 ? 0 : -1;
        var format = variant == DietVariant.V5 ? p : 0;
        var unit0 = format + p;
        var unit1 = unit0 + 4;
        var u0 = BitField.Declare(bigEndian, 18, 14);
        var u1 = variant == DietVariant.V6 ? BitField.Declare(bigEndian, 14, 8) : BitField.Declare(bigEndian, 8);
        BitField? map = variant == DietVariant.V6 ? u1[0] : null;
        var flags = variant == DietVariant.V6 ? u1[1] : u1[0];
        var end = unit1 + 4;
        var key = -1;
        if (jumpLabel)
        {
            key = AlignUp(end, p);
            end = key + (2 * p);
        }

        var record = AlignUp(end, 8);
        // The header view: site*, format, then the same two units, no key of its own.
        var headerView = AlignUp((2 * p) + 8, p);
        var header = Math.Max(record, AlignUp(headerView, 8));
        return new DietLayout(variant, p, bigEndian, jumpLabel, record, sitePtr, format, unit0, unit1, u0[0], u0[1], map, flags, key,
            header, 0, p, 2 * p);
    }

    /// <summary>Every diet profile: 3 variants × 32/64-bit × both byte orders × JUMP_LABEL on/off.</summary>
    public static IReadOnlyList<DietLayout> All { get; } =
        (from v in Enum.GetValues<DietVariant>()
         from p in new[] { 8, 4 }
         from be in new[] { false, true }
         from jl in new[] { true, false }
         select Create(v, p, be, jl)).ToArray();

    private static int AlignUp(int value, int align) => (value + align - 1) / align * align;
}
