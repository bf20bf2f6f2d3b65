namespace DynDbg.ElfSim.Compression.Zram;

/// <summary>
/// <paramref name="count"/> objects of one size allocated into a fresh 6.1 pool, 4 KiB pages, x86_64 layout:
/// <list type="bullet">
/// <item>zsmalloc (<c>mm/zsmalloc.c</c>): runs <see cref="ZsPool"/> (zs_malloc on the <see cref="ZsSizeClassTable"/>
///   of <c>zs_create_pool</c>); a fresh pool of equal objects fills one zspage after another, so pages =
///   ceil(count / objs_per_zspage) × pages_per_zspage. Handles: one 8-byte <c>unsigned long</c> each from the
///   <c>zs_handle</c> kmem_cache (<c>create_cache</c>, <c>cache_alloc_handle</c>).</item>
/// <item>zbud (<c>mm/zbud.c</c>): 64-byte chunks (<c>CHUNK_SHIFT = PAGE_SHIFT - NCHUNKS_ORDER</c>), one header chunk,
///   NCHUNKS = 63; <c>zbud_alloc</c> puts the first object of a page in the FIRST buddy and the page on
///   <c>unbuddied[63 - chunks]</c>, and the next object goes to the LAST buddy of the first page whose free chunks
///   are enough (<c>for_each_unbuddied_list(i, chunks)</c>): two objects a page when 2 × chunks ≤ 63. Sizes over
///   PAGE_SIZE - 2 chunks are refused (-ENOSPC). The handle is the buddy's address: no handle memory.</item>
/// <item>z3fold (<c>mm/z3fold.c</c>): 64-byte chunks, a 128-byte header (<c>ZHDR_SIZE_ALIGNED</c>:
///   <c>sizeof(struct z3fold_header)</c> = 88 on x86_64 without lock debugging, rounded up to a chunk),
///   NCHUNKS = 62; FIRST, then LAST, then MIDDLE (<c>get_free_buddy</c>) while <c>num_free_chunks</c> ≥ chunks
///   (one CPU's unbuddied lists); objects over PAGE_SIZE - header - one chunk take a whole HEADLESS page. Each
///   page with a header gets one <c>z3fold_buddy_slots</c> (48 bytes, SLOTS_ALIGN 64: 64-byte slab objects) for
///   its handles (<c>init_z3fold_page</c> → <c>alloc_slots</c>).</item>
/// </list>
/// Not modelled: frees (except in <see cref="ZsPool"/>), compaction, eviction/LRU, several CPUs' lists.
/// </summary>
public static class ZsPoolModel
{
    private const int PageSize = 4096;

    // mm/zbud.c and mm/z3fold.c: NCHUNKS_ORDER 6 → CHUNK_SIZE 64.
    private const int ChunkShift = 6;
    private const int ChunkSize = 1 << ChunkShift;
    private const int ZbudChunks = (PageSize - ChunkSize) >> ChunkShift;            // 63
    private const int Z3foldHeaderBytes = 128;                                        // round_up(88, CHUNK_SIZE)
    private const int Z3foldHeaderChunks = Z3foldHeaderBytes >> ChunkShift;          // 2
    private const int Z3foldChunks = (PageSize >> ChunkShift) - Z3foldHeaderChunks;  // 62
    private const int Z3foldSlotsObject = 64;                                         // sizeof(z3fold_buddy_slots) 48, SLOTS_ALIGN 0x40

    /// <summary>Handles per order-0 slab page in SLUB for an object of <paramref name="objectSize"/> bytes.</summary>
    private static long SlabBytes(long objects, int objectSize) =>
        objects == 0 ? 0 : (objects + PageSize / objectSize - 1) / (PageSize / objectSize) * PageSize;

    public static ZsPoolResult Allocate(int objectSize, long count, ZpoolKind kind = ZpoolKind.Zsmalloc)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        return kind switch
        {
            ZpoolKind.Zsmalloc => Zsmalloc(objectSize, count, ZsSizeClassTable.Amd64),
            ZpoolKind.Zbud => Zbud(objectSize, count),
            ZpoolKind.Z3fold => Z3fold(objectSize, count),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
        };
    }

    /// <summary>zsmalloc with another architecture's constants (<see cref="ZsSizeClassTable"/>).</summary>
    public static ZsPoolResult Allocate(int objectSize, long count, ZsSizeClassTable table)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        return Zsmalloc(objectSize, count, table);
    }

    private static ZsPoolResult Zsmalloc(int objectSize, long count, ZsSizeClassTable table)
    {
        var cls = table.ClassForMalloc(objectSize);
        // A fresh pool of equal objects: find_get_zspage always returns the one partly filled zspage, so zspages
        // fill one after another (ZsPool runs the same thing object by object; the tests check both agree).
        var zspages = (count + cls.ObjectsPerZspage - 1) / cls.ObjectsPerZspage;
        var pages = zspages * cls.PagesPerZspage;
        return new ZsPoolResult(cls.Size, cls.ObjectsPerZspage, cls.PagesPerZspage, pages, pages * table.PageSize, count * table.HandleSize)
        {
            Kind = ZpoolKind.Zsmalloc,
            ObjectSize = objectSize,
            Count = count,
            Zspages = zspages,
            HandleSlabBytes = SlabBytes(count, table.HandleSize),
            Huge = cls.Huge,
        };
    }

    private static int SizeToChunks(int size) => (size + ChunkSize - 1) >> ChunkShift;

    private static ZsPoolResult Zbud(int objectSize, long count)
    {
        if (objectSize <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(objectSize), objectSize, "zbud_alloc: -EINVAL for size 0");
        }

        if (objectSize > PageSize - 2 * ChunkSize)
        {
            throw new ArgumentOutOfRangeException(nameof(objectSize), objectSize, $"zbud_alloc: -ENOSPC above {PageSize - 2 * ChunkSize} bytes");
        }

        var chunks = SizeToChunks(objectSize);
        // After the FIRST buddy the page sits on unbuddied[NCHUNKS - chunks]; the LAST buddy goes there if it fits.
        var perPage = ZbudChunks - chunks >= chunks ? 2 : 1;
        var pages = (count + perPage - 1) / perPage;
        return new ZsPoolResult(chunks * ChunkSize, perPage, 1, pages, pages * PageSize, 0)
        {
            Kind = ZpoolKind.Zbud,
            ObjectSize = objectSize,
            Count = count,
            Zspages = pages,
        };
    }

    private static ZsPoolResult Z3fold(int objectSize, long count)
    {
        if (objectSize <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(objectSize), objectSize, "z3fold_alloc: -EINVAL for size 0");
        }

        if (objectSize > PageSize)
        {
            throw new ArgumentOutOfRangeException(nameof(objectSize), objectSize, $"z3fold_alloc: -ENOSPC above {PageSize} bytes");
        }

        if (objectSize > PageSize - Z3foldHeaderBytes - ChunkSize)
        {
            // HEADLESS: the whole page, the handle is the page address (no slots).
            return new ZsPoolResult(PageSize, 1, 1, count, count * PageSize, 0)
            {
                Kind = ZpoolKind.Z3fold,
                ObjectSize = objectSize,
                Count = count,
                Zspages = count,
                Huge = true,
            };
        }

        var chunks = SizeToChunks(objectSize);
        // FIRST: free = NCHUNKS - c; LAST if that is ≥ c: free = NCHUNKS - 2c; MIDDLE if that is ≥ c.
        var perPage = Z3foldChunks - chunks < chunks ? 1 : Z3foldChunks - 2 * chunks < chunks ? 2 : 3;
        var pages = (count + perPage - 1) / perPage;
        return new ZsPoolResult(chunks * ChunkSize, perPage, 1, pages, pages * PageSize, pages * Z3foldSlotsObject)
        {
            Kind = ZpoolKind.Z3fold,
            ObjectSize = objectSize,
            Count = count,
            Zspages = pages,
            HandleSlabBytes = SlabBytes(pages, Z3foldSlotsObject),
        };
    }
}
