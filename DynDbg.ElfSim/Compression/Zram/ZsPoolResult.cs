namespace DynDbg.ElfSim.Compression.Zram;

/// <summary>
/// <paramref name="Count"/> equal objects in a fresh pool (<see cref="ZsPoolModel.Allocate"/>).
/// <para><paramref name="ClassSize"/>: the bytes one object really takes (zsmalloc: the merged size class's
/// <c>size</c>, the object plus its in-chunk handle rounded up; zbud/z3fold: whole chunks, with z3fold's
/// in-page header counted separately as the first chunk). <paramref name="ObjectsPerZspage"/> and
/// <paramref name="PagesPerZspage"/>: zsmalloc's <c>objs_per_zspage</c> / <c>pages_per_zspage</c> (zbud: 2 / 1;
/// z3fold: at most 3 / 1). <paramref name="Pages"/>: pages taken from the page allocator
/// (<c>zs_get_total_pages</c>, <c>zbud_get_pool_size</c>, <c>z3fold_get_pool_size</c>); <paramref name="Bytes"/> =
/// pages × PAGE_SIZE. <paramref name="HandleBytes"/>: memory for the handles outside those pages (zsmalloc: one
/// <c>unsigned long</c> per object from the <c>zs_handle</c> kmem_cache; zbud: none, the handle is the buddy's
/// address; z3fold: the per-page <c>z3fold_buddy_slots</c> objects) — see <see cref="HandleSlabBytes"/> for the
/// slab pages they occupy.</para>
/// </summary>
public sealed record ZsPoolResult(int ClassSize, int ObjectsPerZspage, int PagesPerZspage, long Pages, long Bytes, long HandleBytes)
{
    /// <summary>The back-end that produced this result.</summary>
    public ZpoolKind Kind { get; init; }

    /// <summary>The object size asked for (what the caller passes to <c>zs_malloc</c> / <c>zpool_malloc</c>).</summary>
    public int ObjectSize { get; init; }

    /// <summary>How many objects were allocated.</summary>
    public long Count { get; init; }

    /// <summary>zspages (zbud/z3fold: pages) allocated.</summary>
    public long Zspages { get; init; }

    /// <summary>
    /// Bytes of whole slab pages holding the handles: SLUB packs <c>PAGE_SIZE / object size</c> of them into an
    /// order-0 slab (zs_handle: 8-byte objects, 512 a page, merged into kmalloc-8 under SLAB_MERGE_DEFAULT), so
    /// this is <c>ceil(handles / per slab) × PAGE_SIZE</c> for a fresh cache. Not counted in <see cref="Pages"/>
    /// (nor in zram's <c>mem_used_total</c>).
    /// </summary>
    public long HandleSlabBytes { get; init; }

    /// <summary>Whether objects of this size land in zsmalloc's huge class (one object on one page).</summary>
    public bool Huge { get; init; }
}
