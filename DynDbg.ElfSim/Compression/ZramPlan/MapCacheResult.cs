namespace DynDbg.ElfSim.Compression.ZramPlan;

/// <summary>
/// The map/unmap cache of the 2020 plan for one input's control state (docs/compression.md, "The map/unmap cache"):
/// a map is one <c>zs_map_object</c> + <c>zs_unmap_object</c> of one record's object.
/// </summary>
/// <param name="Records">Call sites.</param>
/// <param name="KeptRecords">Records kept mapped: those whose pr_debug prints in the control state.</param>
/// <param name="KeptBytes">Their objects' bytes (kept × object size; the allocator's rounding is not counted).</param>
/// <param name="CatControlMaps">Maps for one <c>cat control</c>: every record not kept.</param>
/// <param name="Module">The module of the <c>module M +p</c> write priced (null when the input has no table).</param>
/// <param name="ModuleRecords">That module's records: the contiguous block <c>ddebug_change</c> walks.</param>
/// <param name="ModuleMaps">Maps for that write: the block's records not kept.</param>
/// <param name="KeptAfterModule">Records kept after that write (the block now prints).</param>
/// <param name="Hits">pr_debug calls drawn (uniformly over the call sites, seeded).</param>
/// <param name="Seed">The seed.</param>
/// <param name="HitsOnKept">Calls that landed on a printing (kept) site.</param>
/// <param name="JumpLabel">Whether the profile has static keys (a disabled call site then costs nothing).</param>
/// <param name="HitMaps">Maps for the calls with the cache: JUMP_LABEL 0; without it every call on a site not kept (the flags live in the object).</param>
/// <param name="HitMapsWithoutCache">Maps for the calls with no cache: JUMP_LABEL the printing ones; without it every call.</param>
/// <param name="HitMapsWithFlagsVector">Maps with the cache and a flags vector (!JUMP_LABEL's alternative): 0.</param>
/// <param name="FlagsVectorBytes">The flags vector: one byte per call site.</param>
public sealed record MapCacheResult(
    long Records,
    long KeptRecords,
    long KeptBytes,
    long CatControlMaps,
    string? Module,
    long ModuleRecords,
    long ModuleMaps,
    long KeptAfterModule,
    long Hits,
    int Seed,
    long HitsOnKept,
    bool JumpLabel,
    long HitMaps,
    long HitMapsWithoutCache,
    long HitMapsWithFlagsVector,
    long FlagsVectorBytes);
