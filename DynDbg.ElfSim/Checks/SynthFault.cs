using DynDbg.ElfSim.DynDbg;

namespace DynDbg.ElfSim.Checks;

/// <summary>
/// A named way to break one diet-plan invariant in a synthetic image (issue 4; docs/synth.md has the table).
/// <see cref="Options"/> gives each compilation unit's <see cref="DietWriteOptions"/> (unit index, unit count);
/// <see cref="Script"/> replaces the variant's linker script; <see cref="ExtraHeaderUnit"/> adds an object holding
/// only a header pair in the plain sections; <see cref="MinCallsites"/> and <see cref="MinUnitCallsites"/> are what
/// the faulty image and its largest unit need at least.
/// What <c>check</c> must then report beyond the unbroken twin (same seed, no fault) is, per variant:
/// <see cref="Static"/>, the errors of the static checks (the fault's own invariant, plus what the same bytes
/// break besides, e.g. a second header's weak site pointer); <see cref="PostLoad"/>, the errors the emulated
/// loader's checks (DDG012–DDG019) add because of it; and <see cref="Hazards"/>.
/// </summary>
public sealed record SynthFault(
    string Name,
    string Invariant,
    string How,
    IReadOnlyList<DietVariant> Variants,
    Func<DietVariant, string[]> Static,
    Func<DietVariant, string[]> PostLoad,
    Func<DietVariant, string[]> Hazards,
    Func<int, IReadOnlyList<CompilationUnit>, DietWriteOptions> Options,
    string? Script = null,
    bool ExtraHeaderUnit = false,
    int MinCallsites = 1,
    int MinUnitCallsites = 1)
{
    private static readonly DietVariant[] AllVariants = [DietVariant.V5, DietVariant.V5NoSite, DietVariant.V6];

    private const string Index = CheckIds.IndexValue;
    private const string UpN = CheckIds.HeaderUpN;
    private const string SiteIdx = CheckIds.HeaderSiteIndex;
    private const string SiteOf = CheckIds.SiteOf;
    private const string Place = CheckIds.HeaderPlace;

    private static string[] None(DietVariant _) => [];

    private static Func<int, IReadOnlyList<CompilationUnit>, DietWriteOptions> First(DietWriteOptions o) => (i, _) => i == 0 ? o : DietWriteOptions.Default;

    private static Func<int, IReadOnlyList<CompilationUnit>, DietWriteOptions> Last(DietWriteOptions o) => (i, u) => i == u.Count - 1 ? o : DietWriteOptions.Default;

    /// <summary>The first unit with at least <paramref name="sites"/> call sites gets <paramref name="o"/>.</summary>
    private static Func<int, IReadOnlyList<CompilationUnit>, DietWriteOptions> FirstWith(int sites, DietWriteOptions o) =>
        (i, u) => u.Select((x, k) => (x, k)).FirstOrDefault(t => t.x.Callsites.Count >= sites, (null!, -1)).k == i ? o : DietWriteOptions.Default;

    private static Func<DietVariant, string[]> Just(string id) => _ => [id];

    /// <summary>v5 13/28 and v6 07/34 share one counter between the two arrays: a count mismatch is also that hazard (§7.4).</summary>
    private static string[] SharedCounter(DietVariant v) => [CheckIds.SharedCounter];

    /// <summary>No header pair at element 0: dp - dp->_index reaches no header (§8.13), add_module finds none at
    /// tab[0] (§8.23), and without a site pointer the site lookup goes astray too (§8.18).</summary>
    private static string[] NoHeaderAtZero(DietVariant v) => v == DietVariant.V5 ? [UpN, Place] : [UpN, SiteOf, Place];

    /// <summary>A header at element 0 that fails is_dyndbg_header_pair: §8.13 and §8.23 follow; v5-nosite also
    /// loses add_module's "fixup missed init" of header.site, so its site lookup fails (§8.18).</summary>
    private static string[] HeaderFailsTest(DietVariant v) => v == DietVariant.V5NoSite ? [UpN, SiteOf, Place] : [UpN, Place];

    public static IReadOnlyList<SynthFault> All { get; } =
    [
        new("header-missing", "§8.3, §8.4", "no unit defines DEFINE_DYNAMIC_DEBUG_TABLE (DietWriteOptions.NoHeaderPair on every unit)",
            AllVariants, Just(CheckIds.HeaderNotFirst), NoHeaderAtZero, None, (_, _) => new DietWriteOptions { NoHeaderPair = true }),
        new("header-behind", "§8.3", "one header pair, in the plain sections after the last unit's records (HeaderPlacement.AfterRecords on the last unit, NoHeaderPair on the others)",
            AllVariants, Just(CheckIds.HeaderNotFirst), NoHeaderAtZero, None,
            (i, u) => i == u.Count - 1 ? new DietWriteOptions { HeaderPlacement = DietHeaderPlacement.AfterRecords } : new DietWriteOptions { NoHeaderPair = true }),
        new("no-script", "§8.3", "linked with the mainline linker/module-6.1.lds instead of the diet script: the pair stays in its own .gnu.linkonce.dyndbg* sections (modules only)",
            AllVariants, Just(CheckIds.HeaderNotFirst), NoHeaderAtZero, None, (_, _) => DietWriteOptions.Default, Script: "module-6.1.lds"),
        new("two-headers", "§8.4", "an extra object holding a second header pair in the plain sections (HeaderPlacement.BeforeRecords, no call sites), linked last; in v5 its weak .site resolves to the first site header",
            AllVariants, v => v == DietVariant.V5 ? [CheckIds.ExtraHeader, CheckIds.SitePointer] : [CheckIds.ExtraHeader],
            v => v == DietVariant.V5 ? [SiteIdx] : [], None, (_, _) => DietWriteOptions.Default, ExtraHeaderUnit: true),
        new("count-mismatch", "§8.5", "the last descriptor has no site record (MissingSite on the last unit)",
            AllVariants, Just(CheckIds.CountMismatch), v => v == DietVariant.V5 ? [Index, UpN] : [Index, UpN, SiteOf], SharedCounter,
            Last(new DietWriteOptions { MissingSite = true })),
        new("orphan-site", "§8.5", "one more site record than descriptors: a site with no descriptor (ExtraSite on the last unit)",
            AllVariants, Just(CheckIds.CountMismatch), None, SharedCounter, Last(new DietWriteOptions { ExtraSite = true })),
        new("header-lineno", "§8.7", "header.lineno = 7 in the kept (first) header (HeaderLineNo)",
            AllVariants, Just(CheckIds.HeaderLineno), HeaderFailsTest, None, First(new DietWriteOptions { HeaderLineNo = 7 })),
        new("header-format", "§8.8", "header.format points at another string than site_header.modname (HeaderFormatDiffers)",
            AllVariants, Just(CheckIds.HeaderFormat), HeaderFailsTest, None, First(new DietWriteOptions { HeaderFormatDiffers = true })),
        new("header-function", "§8.9", "site_header.function points at another string than its modname (SiteFunctionDiffers)",
            AllVariants, Just(CheckIds.HeaderFunction), HeaderFailsTest, None, First(new DietWriteOptions { SiteFunctionDiffers = true })),
        new("loopback", "§8.10", "site_header.filename points at the file name instead of back at the header (BrokenLoopback); the loopback is what marks a header, so the static check sees no header at element 0",
            AllVariants, Just(CheckIds.HeaderNotFirst), HeaderFailsTest, None, First(new DietWriteOptions { BrokenLoopback = true })),
        new("header-site", "§8.11", "header.site points at sites[1] (HeaderSiteToSecond); v5-nosite has no header.site initialiser",
            [DietVariant.V5, DietVariant.V6], Just(CheckIds.HeaderSite), v => v == DietVariant.V5 ? [UpN, SiteIdx, Place] : [UpN, SiteOf], None,
            First(new DietWriteOptions { HeaderSiteToSecond = true })),
        new("site-pointer", "§8.6, §8.17", "v5 (SITE_CHK): descriptor 1 of the first unit with two call sites points at the next site (MisdirectedSite = 1)",
            [DietVariant.V5], Just(CheckIds.SitePointer), _ => [SiteIdx], None, FirstWith(2, new DietWriteOptions { MisdirectedSite = 1 }), MinCallsites: 3, MinUnitCallsites: 2),
        new("desc-misaligned", "§8.1", "8 zero bytes after the last unit's descriptors (DescriptorPadding = 8)",
            AllVariants, Just(CheckIds.DescriptorSize), None, None, Last(new DietWriteOptions { DescriptorPadding = 8 })),
        new("sites-misaligned", "§8.1", "8 zero bytes after the last unit's site records (SitePadding = 8)",
            AllVariants, Just(CheckIds.SiteSize), None, None, Last(new DietWriteOptions { SitePadding = 8 })),
        new("index-overflow", "§8.20, §7.3", "2^14 + 1 call sites or more in one image: _index:14 cannot number the last element and wraps (the twin has 2^14 - 1 call sites, header included 2^14 elements)",
            AllVariants, Just(CheckIds.IndexOverflow), v => v == DietVariant.V5 ? [Index, UpN] : [Index, UpN, SiteOf], None,
            (_, _) => DietWriteOptions.Default, MinCallsites: (1 << 14) + 1),
    ];

    public static SynthFault? ByName(string name) => All.FirstOrDefault(f => f.Name == name);

    /// <summary>Whether an image of these units can carry the fault: enough call sites, and a unit big enough.</summary>
    public bool AppliesTo(IReadOnlyList<CompilationUnit> units) =>
        units.Sum(u => u.Callsites.Count) >= MinCallsites && units.Any(u => u.Callsites.Count >= MinUnitCallsites);
}
