using DynDbg.ElfSim.Compression.Zram;

namespace DynDbg.ElfSim.Compression.ZramPlan;

/// <summary>
/// The 2020 plan on one input (or, from <see cref="ZramPlanStudy.Total"/>, on several as one kernel): the zs_pool
/// copy, the records and the v5 site columns written to zram per algorithm, the <c>% 2</c> test and the map/unmap
/// cache. <see cref="RecordBytes"/> / <see cref="SiteBytes"/> are what was written to the devices.
/// </summary>
public sealed record ZramPlanResult(
    string File,
    int Inputs,
    string Kind,
    string? Profile,
    bool JumpLabel,
    int PointerSize,
    long Records,
    int RecordSize,
    int Tables,
    ZsPoolCopy? Pool,
    long DyndbgBytes,
    int SiteSize,
    long SitesBytes,
    IReadOnlyList<ZramStats> Zram,
    IReadOnlyList<ZramStats> ZramSites,
    OddPointerResult OddPointers,
    MapCacheResult Cache,
    IReadOnlyList<string> FailedQueries)
{
    /// <summary>The table's bytes as they sit in the image (linked: __start___dyndbg..__stop___dyndbg; else the section as stored).</summary>
    public byte[] RecordBytes { get; init; } = [];

    /// <summary>The control state the cache was priced on (for <see cref="ZramPlanStudy.Total"/>).</summary>
    public CacheState CacheState { get; init; } = CacheState.Empty;

    /// <summary>
    /// A relocatable input's records as the loader leaves them (the four pointers at their run-time values, the rest
    /// as stored; empty for a linked image, whose stored bytes are already that): what a 2020-plan kernel would copy.
    /// </summary>
    public byte[] LoadedBytes { get; init; } = [];

    /// <summary>mm_stat per algorithm for <see cref="LoadedBytes"/> (empty for a linked image).</summary>
    public IReadOnlyList<ZramStats> ZramLoaded { get; init; } = [];

    /// <summary>The v5 <c>__dyndbg_sites</c> array of the records, with run-time pointer values.</summary>
    public byte[] SiteBytes { get; init; } = [];
}
