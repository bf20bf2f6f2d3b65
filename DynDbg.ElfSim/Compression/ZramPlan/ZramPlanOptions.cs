using DynDbg.ElfSim.Compression.Zram;

namespace DynDbg.ElfSim.Compression.ZramPlan;

/// <summary>
/// What the 2020-plan study runs: the zpool back-end, the control writes that make the cache's state (after the
/// image's defaults), the pr_debug calls to draw and their seed, the module whose <c>module M +p</c> is priced
/// (null: each input's largest table), and whether the zram devices are written.
/// </summary>
public sealed record ZramPlanOptions(
    ZpoolKind Pool = ZpoolKind.Zsmalloc,
    IReadOnlyList<string>? Queries = null,
    long Hits = ZramPlanOptions.DefaultHits,
    int Seed = ZramPlanOptions.DefaultSeed,
    string? Module = null,
    bool Zram = true)
{
    public const long DefaultHits = 100_000;
    public const int DefaultSeed = 1;

    /// <summary>How 6.1 names a zpool back-end (<c>zsmalloc</c>, <c>zbud</c>, <c>z3fold</c>).</summary>
    public static string Name(ZpoolKind k) => k switch
    {
        ZpoolKind.Zbud => "zbud",
        ZpoolKind.Z3fold => "z3fold",
        _ => "zsmalloc",
    };
}
