namespace DynDbg.ElfSim.Compression.Zram;

/// <summary>
/// One line of <c>/sys/kernel/debug/zsmalloc/&lt;pool&gt;/classes</c> (6.1 <c>zs_stats_size_show</c>):
/// <c>class size almost_full almost_empty obj_allocated obj_used pages_used pages_per_zspage freeable</c>.
/// <c>pages_used = obj_allocated / objs_per_zspage × pages_per_zspage</c>; <c>freeable</c> is
/// <c>zs_can_compact</c>.
/// </summary>
public readonly record struct ZsClassStats(int Class, int Size, long AlmostFull, long AlmostEmpty, long ObjAllocated,
                                           long ObjUsed, long PagesUsed, int PagesPerZspage, long Freeable)
{
    /// <summary>The line as <c>zs_stats_size_show</c> prints it (<c>" %5u %5u %11lu %12lu %13lu %10lu %10lu %16d %8lu"</c>).</summary>
    public override string ToString() =>
        $" {Class,5} {Size,5} {AlmostFull,11} {AlmostEmpty,12} {ObjAllocated,13} {ObjUsed,10} {PagesUsed,10} {PagesPerZspage,16} {Freeable,8}";
}
