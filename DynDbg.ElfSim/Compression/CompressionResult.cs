namespace DynDbg.ElfSim.Compression;

/// <summary>
/// The study of one input (or the total of several, see <see cref="Total"/>): the site columns' raw bytes, the
/// strings behind them, every store's row, the best store, and the late-fetch cache's cost.
/// </summary>
public sealed record CompressionResult(
    string File,
    int Inputs,
    int Records,
    int PointerSize,
    long RawSiteBytes,
    IReadOnlyList<SiteStringUse> Strings,
    IReadOnlyList<StoreResult> Stores,
    CacheResult? Cache)
{
    /// <summary>The exact store with the fewest bytes (ties: the earlier in output order); null without records.</summary>
    public string? Best => Records == 0 ? null : Stores.Where(s => s.Exact).OrderBy(s => s.Bytes).FirstOrDefault()?.Name;

    public bool AllExact => Stores.All(s => s.Exact);

    /// <summary>
    /// Sums several inputs as if each kept its own store (a module tree: one store per module): bytes, raw bytes,
    /// strings and stream times add up; Get times are averaged weighted by records (a random callsite of the
    /// whole set); workspace is the largest (one decompression context serves all tables).
    /// </summary>
    public static CompressionResult Total(IReadOnlyList<CompressionResult> results)
    {
        var withRecords = results.Where(r => r.Records > 0).ToList();
        var records = withRecords.Sum(r => r.Records);
        var names = withRecords.SelectMany(r => r.Stores.Select(s => s.Name)).Distinct().ToList();
        var stores = names.Select(name =>
        {
            var rows = withRecords.Select(r => (r, s: r.Stores.FirstOrDefault(s => s.Name == name))).Where(x => x.s is not null).ToList();
            var size = new SiteStoreSize(rows.Sum(x => x.s!.Size.Data), rows.Sum(x => x.s!.Size.Index), rows.Sum(x => x.s!.Size.Dictionary));
            var timed = rows.All(x => x.s!.GetNs is not null) && rows.Count > 0;
            double? get = timed ? rows.Sum(x => x.s!.GetNs!.Value * x.r.Records) / Math.Max(1, rows.Sum(x => x.r.Records)) : null;
            double? stream = timed ? rows.Sum(x => x.s!.StreamNs!.Value) : null;
            var detail = $"sum over {rows.Count} inputs";
            return new StoreResult(name, size, rows.Sum(x => x.r.RawSiteBytes), rows.All(x => x.s!.RandomAccess), get, stream,
                rows.Count == 0 ? 0 : rows.Max(x => x.s!.WorkspaceBytes), rows.Sum(x => x.s!.Mismatches), detail);
        }).ToList();

        var strings = withRecords.SelectMany(r => r.Strings).GroupBy(s => s.Column)
            .Select(g => new SiteStringUse(g.Key, g.Sum(s => s.Strings), g.Sum(s => s.Bytes), g.Sum(s => s.SiteOnlyStrings), g.Sum(s => s.SiteOnlyBytes)))
            .ToList();
        var pointer = withRecords.Select(r => r.PointerSize).DefaultIfEmpty(0).Max();
        var caches = withRecords.Where(r => r.Cache is not null).Select(r => r.Cache!).ToList();
        var cache = caches.Count == 0 ? null : new CacheResult(caches[0].EntryBytes, caches[0].TableBytes,
            caches.Sum(c => c.AllEnabledBytes - c.TableBytes) + caches[0].TableBytes,
            caches.All(c => c.HitNs is not null) ? caches.Average(c => c.HitNs!.Value) : null);
        var file = $"total of {results.Count} input{(results.Count == 1 ? "" : "s")} ({withRecords.Count} with records)";
        return new CompressionResult(file, results.Count, records, pointer, withRecords.Sum(r => r.RawSiteBytes), strings, stores, cache);
    }
}
