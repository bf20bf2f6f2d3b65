using System.Diagnostics;

namespace DynDbg.ElfSim.Compression;

/// <summary>
/// Runs the study on one table: builds every store, checks that each is exact, times Get and the stream walk,
/// and prices the late-fetch cache (every callsite enabled and used once, then hit).
/// </summary>
public static class CompressionStudy
{
    public static CompressionResult Run(SiteTable table, SiteStoreOptions options)
    {
        var rows = new List<StoreResult>();
        var timed = options.Budget > TimeSpan.Zero && table.Count > 0;
        foreach (var store in options.BuildEach(table))
        {
            using (store)
            {
                var check = SiteStoreCheck.Run(store);
                double? get = timed ? SiteStoreTimer.GetNs(store, options.Budget) : null;
                double? stream = timed ? SiteStoreTimer.StreamNs(store, options.Budget) : null;
                rows.Add(new StoreResult(store.Name, store.Size, table.RawBytes, store.RandomAccess, get, stream,
                    store.WorkspaceBytes, check.Mismatches, store.Detail));
            }
        }

        return new CompressionResult(table.File, 1, table.Count, table.PointerSize, table.RawBytes, table.Strings, rows,
            table.Count == 0 ? null : Cache(table, timed ? options.Budget : TimeSpan.Zero));
    }

    /// <summary>
    /// The cache with every callsite enabled and used once: one entry per record, since each (module, _index) key is
    /// distinct, so its memory follows from the count. To time hits, a cache is filled over the raw store (the cache
    /// does not depend on the store behind it); without timing nothing is filled (a million entries, issue 14).
    /// </summary>
    private static CacheResult Cache(SiteTable table, TimeSpan budget)
    {
        var timed = budget > TimeSpan.Zero;
        var cache = new LateFetchCache(table.PointerSize, timed ? table.Count : 0);
        var all = cache.MemoryFor(table.Count);
        double? hit = null;
        if (timed)
        {
            using var store = new RawSiteStore(table);
            // Keyed as the kernel would: the table's module name and the record's _index (global for built-ins).
            var modules = new string[table.Count];
            Array.Fill(modules, Path.GetFileName(table.File));
            foreach (var t in table.Tables)
            {
                Array.Fill(modules, t.ModName, t.First, Math.Min(t.Count, table.Count - t.First));
            }

            for (var i = 0; i < table.Count; i++)
            {
                cache.Use(modules[i], i, store);
            }

            hit = HitNs(cache, modules, store, budget);
        }

        return new CacheResult(cache.EntryBytes, cache.TableBytes, all, hit);
    }

    private static double HitNs(LateFetchCache cache, string[] modules, SiteStore store, TimeSpan budget)
    {
        var random = new Random(0x5eed);
        var indices = Enumerable.Range(0, 1024).Select(_ => random.Next(modules.Length)).ToArray();
        var samples = new List<double>();
        var total = Stopwatch.StartNew();
        ulong sink = 0;
        while (samples.Count < 7 || total.Elapsed < budget)
        {
            var sw = Stopwatch.StartNew();
            foreach (var i in indices)
            {
                sink += cache.Use(modules[i], i, store).Function;
            }

            samples.Add(sw.ElapsedTicks * (1e9 / Stopwatch.Frequency) / indices.Length);
        }

        GC.KeepAlive(sink);
        samples.Sort();
        return samples[samples.Count / 2];
    }
}
