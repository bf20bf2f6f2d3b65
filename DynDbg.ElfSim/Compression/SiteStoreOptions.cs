namespace DynDbg.ElfSim.Compression;

/// <summary>
/// Parameters of the compression study. <see cref="Budget"/> is the time spent per timing (Get, stream) per
/// store; zero skips timing. <see cref="DictionaryCapacity"/> 0 means zdict.h's rule (a hundredth of the samples).
/// <see cref="Zstd"/> false skips the zstd stores; <see cref="ZstdImplementation"/> runs them (null: the default).
/// </summary>
public sealed record SiteStoreOptions(
    int ZstdLevel = 19,
    int BlockRecords = 64,
    int DictionaryCapacity = 0,
    int Stride = ColumnSiteStore.DefaultStride,
    bool Zstd = true,
    TimeSpan Budget = default)
{
    /// <summary>The store names in output order (the order, this tool's own last).</summary>
    public static readonly string[] StoreNames = ["raw", "rle", "zstd", "zstd-block", "zstd-dict", "v6-pack", "cols"];

    /// <summary>The zstd that runs the zstd stores: <see cref="ZstdSelection.Default"/> unless set.</summary>
    public IZstd? ZstdImplementation { get; init; }

    public IZstd ZstdInUse => ZstdImplementation ?? ZstdSelection.Default;

    public static bool IsZstd(string name) => name.StartsWith("zstd", StringComparison.Ordinal);

    /// <summary>Builds every store for <paramref name="table"/>; the zstd ones unless <see cref="Zstd"/> is false.</summary>
    public IReadOnlyList<SiteStore> Build(SiteTable table) => BuildEach(table).ToList();

    /// <summary>
    /// The stores of <see cref="Build"/> one at a time, each made when the walk reaches it: a caller that disposes
    /// each before taking the next holds one store at a time (a million-record table's zstd stores and their
    /// contexts are tens of megabytes each, issue 14).
    /// </summary>
    public IEnumerable<SiteStore> BuildEach(SiteTable table)
    {
        var zstd = Zstd ? ZstdInUse : null;
        foreach (var name in StoreNames)
        {
            if (IsZstd(name) && zstd is null)
            {
                continue;
            }

            yield return name switch
            {
                "raw" => new RawSiteStore(table),
                "rle" => new RleSiteStore(table),
                "zstd" => new ZstdSiteStore(table, ZstdLevel, zstd),
                "zstd-block" => new ZstdBlockSiteStore(table, ZstdLevel, BlockRecords, zstd),
                "zstd-dict" => new ZstdDictSiteStore(table, ZstdLevel, DictionaryCapacity, zstd),
                "v6-pack" => new V6PackSiteStore(table),
                _ => new ColumnSiteStore(table, Stride),
            };
        }
    }
}
