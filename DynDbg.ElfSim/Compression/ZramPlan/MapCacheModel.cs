using DynDbg.ElfSim.Control;

namespace DynDbg.ElfSim.Compression.ZramPlan;

/// <summary>
/// Prices the 2020 plan's map/unmap cache (reference §5) on a control state, with this model (docs/compression.md):
/// <list type="bullet">
/// <item>every record lives as one object in the pool; reading or writing any of its fields needs one map
///   (<c>zs_map_object</c>, then <c>zs_unmap_object</c>);</item>
/// <item>the cache keeps the records that print mapped (their pr_debug needs format, flags and the prefix
///   fields on every call); nothing else is kept;</item>
/// <item><c>cat control</c> shows every record once: one map per record not kept;</item>
/// <item><c>module M +p</c>: <c>ddebug_change</c> skips other tables by name, and reads and writes the flags of each
///   record of M's contiguous block: one map per block record not kept; they print afterwards, so they are kept;</item>
/// <item>a pr_debug call: with JUMP_LABEL a site that does not print costs nothing (its static branch is not taken)
///   and one that prints is in the cache; without JUMP_LABEL every call tests <c>flags &amp; _DPRINTK_FLAGS_PRINT</c>,
///   which lives in the object: one map per call on a site not kept, unless a flags vector (one byte per call
///   site) answers the test.</item>
/// </list>
/// Calls are drawn uniformly over the call sites with <see cref="Random"/>(seed); real workloads are not uniform.
/// </summary>
public static class MapCacheModel
{
    public static MapCacheResult Run(IReadOnlyList<ControlTable> tables, bool jumpLabel, int objectSize, long hits, int seed, string? module) =>
        Run(CacheState.From(tables), jumpLabel, objectSize, hits, seed, module);

    /// <summary>
    /// Prices <paramref name="state"/>: <paramref name="module"/> names the <c>module M +p</c> write priced (null:
    /// the module with the most records, the first by name among equals).
    /// </summary>
    public static MapCacheResult Run(CacheState state, bool jumpLabel, int objectSize, long hits, int seed, string? module)
    {
        var printing = state.Printing;
        long records = printing.Count;
        long kept = printing.Count(p => p);
        var block = module is null
            ? state.Modules.OrderByDescending(m => m.Records).ThenBy(m => m.Module, StringComparer.Ordinal).FirstOrDefault()
            : state.Modules.FirstOrDefault(m => m.Module == module);
        var priced = block.Records > 0 ? block.Module : null;

        long onKept = 0;
        if (records > 0)
        {
            var random = new Random(seed);
            for (long i = 0; i < hits; i++)
            {
                if (printing[random.Next(printing.Count)])
                {
                    onKept++;
                }
            }
        }

        var drawn = records > 0 ? hits : 0;
        var offKept = drawn - onKept;
        return new MapCacheResult(records, kept, kept * objectSize, records - kept, priced, block.Records, block.Records - block.Printing,
            kept + (block.Records - block.Printing), drawn, seed, onKept, jumpLabel,
            HitMaps: jumpLabel ? 0 : offKept,
            HitMapsWithoutCache: jumpLabel ? onKept : drawn,
            HitMapsWithFlagsVector: 0,
            FlagsVectorBytes: records);
    }
}
