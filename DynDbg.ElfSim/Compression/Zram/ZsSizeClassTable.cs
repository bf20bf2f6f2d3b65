namespace DynDbg.ElfSim.Compression.Zram;

/// <summary>
/// The size classes <c>zs_create_pool</c> (6.1 <c>mm/zsmalloc.c</c>) builds, for one architecture's constants:
/// <c>ZS_MIN_ALLOC_SIZE = MAX(32, ZS_MAX_PAGES_PER_ZSPAGE &lt;&lt; PAGE_SHIFT &gt;&gt; OBJ_INDEX_BITS)</c>,
/// <c>ZS_SIZE_CLASS_DELTA = PAGE_SIZE &gt;&gt; CLASS_BITS</c> (CLASS_BITS 8), <c>ZS_SIZE_CLASSES</c> classes of
/// size <c>ZS_MIN_ALLOC_SIZE + i × delta</c> (capped at PAGE_SIZE), built from the largest down, a class merged
/// into the previous (larger) one when <c>can_merge</c> (equal pages and objects per zspage), and
/// <c>huge_class_size</c> set at the first class, from the top, that is not one object on one page.
/// </summary>
public sealed class ZsSizeClassTable
{
    /// <summary>ZS_MAX_ZSPAGE_ORDER 2: a zspage is at most 4 pages.</summary>
    public const int MaxPagesPerZspage = 1 << 2;

    /// <summary>ZS_ALIGN: every class size is a multiple of it.</summary>
    public const int Align = 8;

    private const int ClassBits = 8;
    private const int ObjTagBits = 1;

    private readonly ZsSizeClass[] _classOf; // index → the (merged) class used for it

    /// <param name="pageShift">PAGE_SHIFT (12: 4 KiB pages).</param>
    /// <param name="bitsPerLong">BITS_PER_LONG; also sets ZS_HANDLE_SIZE (sizeof(unsigned long)).</param>
    /// <param name="maxPossiblePhysmemBits">MAX_POSSIBLE_PHYSMEM_BITS: 52 on x86_64 (pgtable_64_types.h, 5-level
    /// paging possible), 36 on i386 PAE, 32 on i386 without PAE; BITS_PER_LONG where the architecture defines neither
    /// it nor MAX_PHYSMEM_BITS.</param>
    public ZsSizeClassTable(int pageShift = 12, int bitsPerLong = 64, int maxPossiblePhysmemBits = 52)
    {
        if (pageShift is < 9 or > 16 || bitsPerLong is not (32 or 64) || maxPossiblePhysmemBits <= pageShift || maxPossiblePhysmemBits - pageShift >= bitsPerLong - 1)
        {
            throw new ArgumentOutOfRangeException(nameof(pageShift), $"no zsmalloc geometry for PAGE_SHIFT {pageShift}, BITS_PER_LONG {bitsPerLong}, MAX_POSSIBLE_PHYSMEM_BITS {maxPossiblePhysmemBits}");
        }

        PageSize = 1 << pageShift;
        HandleSize = bitsPerLong / 8;
        var pfnBits = maxPossiblePhysmemBits - pageShift;
        ObjIndexBits = bitsPerLong - pfnBits - ObjTagBits;
        MinAllocSize = Math.Max(32, ObjIndexBits >= 31 ? 0 : (MaxPagesPerZspage << pageShift) >> ObjIndexBits);
        MaxAllocSize = PageSize;
        Delta = PageSize >> ClassBits;
        ClassCount = (MaxAllocSize - MinAllocSize + Delta - 1) / Delta + 1;

        _classOf = new ZsSizeClass[ClassCount];
        var distinct = new List<ZsSizeClass>();
        ZsSizeClass? prev = null;
        for (var i = ClassCount - 1; i >= 0; i--)
        {
            var size = Math.Min(MinAllocSize + i * Delta, MaxAllocSize);
            var pages = PagesPerZspageFor(size, PageSize);
            var objs = pages * PageSize / size;
            if (pages != 1 && objs != 1 && HugeClassSize == 0)
            {
                // zs_create_pool: "huge_class_size -= (ZS_HANDLE_SIZE - 1)", zs_malloc adds the handle first.
                HugeClassSize = size - (HandleSize - 1);
            }

            if (prev is { } p && p.PagesPerZspage == pages && p.ObjectsPerZspage == objs)
            {
                _classOf[i] = p;
                continue;
            }

            var c = new ZsSizeClass(i, size, pages, objs);
            _classOf[i] = c;
            distinct.Add(c);
            prev = c;
        }

        distinct.Reverse();
        Classes = distinct;
    }

    /// <summary>x86_64 (and any 64-bit, 4 KiB-page kernel whose OBJ_INDEX_BITS leave ZS_MIN_ALLOC_SIZE at 32).</summary>
    public static ZsSizeClassTable Amd64 { get; } = new();

    public int PageSize { get; }

    /// <summary>ZS_HANDLE_SIZE: the handle zs_malloc stores in front of each (non-huge) object.</summary>
    public int HandleSize { get; }

    /// <summary>OBJ_INDEX_BITS.</summary>
    public int ObjIndexBits { get; }

    /// <summary>ZS_MIN_ALLOC_SIZE.</summary>
    public int MinAllocSize { get; }

    /// <summary>ZS_MAX_ALLOC_SIZE (PAGE_SIZE): zs_malloc refuses larger requests.</summary>
    public int MaxAllocSize { get; }

    /// <summary>ZS_SIZE_CLASS_DELTA.</summary>
    public int Delta { get; }

    /// <summary>ZS_SIZE_CLASSES (255 with 4 KiB pages).</summary>
    public int ClassCount { get; }

    /// <summary>
    /// <c>zs_huge_class_size</c>: objects of this many bytes or more (before the handle is added) go to a
    /// one-object-per-page class. zram stores a page whose compressed length reaches it as PAGE_SIZE bytes.
    /// </summary>
    public int HugeClassSize { get; }

    /// <summary>The distinct classes (merged ones once), by ascending index: what debugfs <c>classes</c> lists.</summary>
    public IReadOnlyList<ZsSizeClass> Classes { get; }

    /// <summary><c>get_size_class_index</c>: the index for a chunk of <paramref name="size"/> bytes (handle included).</summary>
    public int IndexFor(int size)
    {
        var idx = 0;
        if (size > MinAllocSize)
        {
            idx = (size - MinAllocSize + Delta - 1) / Delta;
        }

        return Math.Min(ClassCount - 1, idx);
    }

    /// <summary>The class <c>zs_malloc(pool, size)</c> allocates from: <c>size_class[get_size_class_index(size + ZS_HANDLE_SIZE)]</c>.</summary>
    public ZsSizeClass ClassForMalloc(int size)
    {
        if (size <= 0 || size > MaxAllocSize)
        {
            throw new ArgumentOutOfRangeException(nameof(size), size, $"zs_malloc takes 1..{MaxAllocSize} bytes (-EINVAL otherwise)");
        }

        return _classOf[IndexFor(size + HandleSize)];
    }

    /// <summary><c>pool-&gt;size_class[index]</c>: the class the index points at after merging.</summary>
    public ZsSizeClass ClassAt(int index) => _classOf[index];

    /// <summary>
    /// <c>get_pages_per_zspage</c>: the zspage length (1..4 pages) using the largest share of its bytes for whole
    /// objects, in whole percent, the first (smallest) length winning ties.
    /// </summary>
    public static int PagesPerZspageFor(int classSize, int pageSize = 4096)
    {
        int maxUsedPc = 0, maxUsedPcOrder = 1;
        for (var i = 1; i <= MaxPagesPerZspage; i++)
        {
            var zspageSize = i * pageSize;
            var waste = zspageSize % classSize;
            var usedPc = (zspageSize - waste) * 100 / zspageSize;
            if (usedPc > maxUsedPc)
            {
                maxUsedPc = usedPc;
                maxUsedPcOrder = i;
            }
        }

        return maxUsedPcOrder;
    }
}
