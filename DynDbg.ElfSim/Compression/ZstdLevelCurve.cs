namespace DynDbg.ElfSim.Compression;

/// <summary>
/// The size of each zstd store at every zstd level (issue 15: level 3 beat the default 19 on a vmlinux's site
/// arrays, which one level alone cannot show). Sizes are summed over the inputs; every store is checked exact at
/// every level. No timing: the curve is about bytes.
/// </summary>
public static class ZstdLevelCurve
{
    public const int MinLevel = 1;
    public const int MaxLevel = 22;

    public static readonly string[] Stores = ["zstd", "zstd-block", "zstd-dict"];

    /// <param name="sizes">Store name to total bytes at this level.</param>
    /// <param name="mismatches">Records some store got wrong at this level (0 when every store is exact).</param>
    public sealed record Point(int Level, IReadOnlyDictionary<string, long> Sizes, int Mismatches);

    public static IReadOnlyList<Point> Run(IReadOnlyList<SiteTable> tables, SiteStoreOptions options)
    {
        var zstd = options.ZstdInUse;
        var points = new List<Point>(MaxLevel);
        for (var level = MinLevel; level <= MaxLevel; level++)
        {
            var sizes = Stores.ToDictionary(s => s, _ => 0L, StringComparer.Ordinal);
            var mismatches = 0;
            foreach (var table in tables)
            {
                SiteStore[] stores =
                [
                    new ZstdSiteStore(table, level, zstd),
                    new ZstdBlockSiteStore(table, level, options.BlockRecords, zstd),
                    new ZstdDictSiteStore(table, level, options.DictionaryCapacity, zstd),
                ];
                foreach (var store in stores)
                {
                    using (store)
                    {
                        sizes[store.Name] += store.Size.Total;
                        mismatches += SiteStoreCheck.Run(store).Mismatches;
                    }
                }
            }

            points.Add(new Point(level, sizes, mismatches));
        }

        return points;
    }

    /// <summary>The level that gives the store its fewest bytes (the lowest such level on a tie).</summary>
    public static int Best(IReadOnlyList<Point> curve, string store) =>
        curve.OrderBy(p => p.Sizes[store]).ThenBy(p => p.Level).First().Level;
}
