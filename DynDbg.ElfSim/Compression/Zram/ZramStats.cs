namespace DynDbg.ElfSim.Compression.Zram;

/// <summary>
/// What <c>/sys/block/zram0/mm_stat</c> shows (6.1 <c>mm_stat_show</c>): <paramref name="OrigDataSize"/> =
/// <c>pages_stored &lt;&lt; PAGE_SHIFT</c> (same-filled pages included: they count as stored),
/// <paramref name="ComprDataSize"/> (sum of stored object sizes; a huge page counts PAGE_SIZE),
/// <paramref name="MemUsedTotal"/> = <c>zs_get_total_pages &lt;&lt; PAGE_SHIFT</c>, <paramref name="SamePages"/>,
/// <paramref name="HugePages"/>; <paramref name="PagesStored"/> is <c>stats.pages_stored</c>.
/// </summary>
public sealed record ZramStats(ZramAlgorithm Algorithm, long OrigDataSize, long ComprDataSize, long MemUsedTotal,
                               long SamePages, long HugePages, long PagesStored)
{
    /// <summary>mm_stat's <c>mem_limit</c> (0: no limit was set).</summary>
    public long MemLimit { get; init; }

    /// <summary>mm_stat's <c>mem_used_max</c>: the most pages the pool ever held, in bytes (<c>update_used_max</c>).</summary>
    public long MemUsedMax { get; init; }

    /// <summary>mm_stat's <c>pages_compacted</c>: always 0 here (compaction is not modelled).</summary>
    public long PagesCompacted { get; init; }

    /// <summary>mm_stat's <c>huge_pages_since</c>.</summary>
    public long HugePagesSince { get; init; }

    /// <summary>The nine fields in <c>mm_stat_show</c>'s order and format (<c>%8llu</c> ... each).</summary>
    public string MmStatLine() =>
        $"{OrigDataSize,8} {ComprDataSize,8} {MemUsedTotal,8} {MemLimit,8} {MemUsedMax,8} {SamePages,8} {PagesCompacted,8} {HugePages,8} {HugePagesSince,8}";
}
