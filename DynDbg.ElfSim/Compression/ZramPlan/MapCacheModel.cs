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
    public static MapCacheResult Run(IReadOnlyList<ControlTable> tables, bool jumpLabel, int objectSize, long hits, int seed, string? module)
    {
        var sites = tables.SelectMany(t => t.Sites).ToList();
        var printing = sites.Select(s => s.Prints).ToArray();
        long kept = printing.Count(p => p);
        long records = sites.Count;

        var name = module ?? tables.GroupBy(t => t.ModName, StringComparer.Ordinal)
            .OrderByDescending(g => g.Sum(t => t.Sites.Count)).ThenBy(g => g.Key, StringComparer.Ordinal).FirstOrDefault()?.Key;
        var block = tables.Where(t => t.ModName == name).SelectMany(t => t.Sites).ToList();
        var blockKept = block.Count(s => s.Prints);
        var priced = block.Count > 0 ? name : null;

        long onKept = 0;
        if (records > 0)
        {
            var random = new Random(seed);
            for (long i = 0; i < hits; i++)
            {
                if (printing[random.Next(printing.Length)])
                {
                    onKept++;
                }
            }
        }

        var drawn = records > 0 ? hits : 0;
        var offKept = drawn - onKept;
        return new MapCacheResult(records, kept, kept * objectSize, records - kept, priced, block.Count, block.Count - blockKept,
            kept + (block.Count - blockKept), drawn, seed, onKept, jumpLabel,
            HitMaps: jumpLabel ? 0 : offKept,
            HitMapsWithoutCache: jumpLabel ? onKept : drawn,
            HitMapsWithFlagsVector: 0,
            FlagsVectorBytes: records);
    }
}
