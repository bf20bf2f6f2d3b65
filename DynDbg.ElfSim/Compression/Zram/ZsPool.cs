namespace DynDbg.ElfSim.Compression.Zram;

/// <summary>
/// A zsmalloc pool as 6.1 <c>mm/zsmalloc.c</c> runs it, counting instead of storing: <see cref="Malloc"/> is
/// <c>zs_malloc</c> (handle from the zs_handle cache, class from <c>size + ZS_HANDLE_SIZE</c>,
/// <c>find_get_zspage</c> takes the first zspage of the ALMOST_FULL list, else ALMOST_EMPTY, else a new zspage from
/// <c>alloc_zspage</c> and <c>pages_allocated += pages_per_zspage</c>; <c>fix_fullness_group</c> /
/// <c>insert_zspage</c> keep each list in the kernel's order), <see cref="Free"/> is <c>zs_free</c> (an emptied
/// zspage is released at once: <c>free_zspage</c>). Object placement inside a zspage (the free-object list) does not
/// change any count and is not modelled; neither are compaction (<c>zs_compact</c>, the shrinker) and page
/// migration. Not thread-safe.
/// </summary>
public sealed class ZsPool
{
    // enum fullness_group
    private const int Empty = 0, AlmostEmpty = 1, AlmostFull = 2, Full = 3, NrFullness = 4;
    private const int FullnessThresholdFrac = 4;

    private readonly ClassState?[] _state; // by class index (merged classes share the representative's state)
    private Zspage?[] _handles = new Zspage?[64];
    private int _nextHandle = 1;
    private readonly Stack<int> _freeHandles = new();

    public ZsPool(ZsSizeClassTable? table = null)
    {
        Table = table ?? ZsSizeClassTable.Amd64;
        _state = new ClassState?[Table.ClassCount];
        foreach (var c in Table.Classes)
        {
            _state[c.Index] = new ClassState(c);
        }
    }

    public ZsSizeClassTable Table { get; }

    /// <summary><c>zs_get_total_pages</c>: pages held by all zspages.</summary>
    public long TotalPages { get; private set; }

    /// <summary>Handles currently allocated (each one <c>unsigned long</c> in the zs_handle kmem_cache).</summary>
    public long Handles { get; private set; }

    /// <summary>zspages currently allocated (each one <c>struct zspage</c> in the zspage kmem_cache).</summary>
    public long Zspages { get; private set; }

    /// <summary><c>zs_malloc(pool, size)</c>: a handle (never 0).</summary>
    public int Malloc(int size)
    {
        var cls = Table.ClassForMalloc(size);
        var state = _state[cls.Index]!;
        var zspage = FindGetZspage(state);
        if (zspage is not null)
        {
            zspage.Inuse++;
            FixFullnessGroup(state, zspage);
        }
        else
        {
            zspage = new Zspage(cls.Index) { Inuse = 1 };
            var fg = FullnessGroup(state, zspage);
            Insert(state, zspage, fg);
            TotalPages += cls.PagesPerZspage;
            Zspages++;
            state.ObjAllocated += cls.ObjectsPerZspage;
        }

        state.ObjUsed++;
        Handles++;
        var handle = _freeHandles.Count > 0 ? _freeHandles.Pop() : _nextHandle++;
        if (handle >= _handles.Length)
        {
            Array.Resize(ref _handles, _handles.Length * 2);
        }

        _handles[handle] = zspage;
        return handle;
    }

    /// <summary><c>zs_free(pool, handle)</c>; 0 is ignored as the kernel ignores a NULL handle.</summary>
    public void Free(int handle)
    {
        if (handle == 0)
        {
            return;
        }

        var zspage = handle > 0 && handle < _handles.Length ? _handles[handle] : null;
        if (zspage is null)
        {
            throw new ArgumentException($"handle {handle} is not allocated", nameof(handle));
        }

        _handles[handle] = null;
        _freeHandles.Push(handle);
        Handles--;
        var state = _state[zspage.ClassIndex]!;
        zspage.Inuse--;
        state.ObjUsed--;
        if (FixFullnessGroup(state, zspage) == Empty)
        {
            // free_zspage → remove_zspage(ZS_EMPTY) and __free_zspage
            Remove(state, zspage);
            state.ObjAllocated -= state.Class.ObjectsPerZspage;
            TotalPages -= state.Class.PagesPerZspage;
            Zspages--;
        }
    }

    /// <summary>The debugfs <c>classes</c> lines, one per distinct class, by index (all 255 with 4 KiB pages... less the merged ones).</summary>
    public IReadOnlyList<ZsClassStats> ClassStats()
    {
        var lines = new List<ZsClassStats>(Table.Classes.Count);
        foreach (var c in Table.Classes)
        {
            var s = _state[c.Index]!;
            var freeable = s.ObjAllocated <= s.ObjUsed ? 0 : (s.ObjAllocated - s.ObjUsed) / c.ObjectsPerZspage * c.PagesPerZspage;
            lines.Add(new ZsClassStats(c.Index, c.Size, s.Count[AlmostFull], s.Count[AlmostEmpty], s.ObjAllocated, s.ObjUsed,
                s.ObjAllocated / c.ObjectsPerZspage * c.PagesPerZspage, c.PagesPerZspage, freeable));
        }

        return lines;
    }

    private static Zspage? FindGetZspage(ClassState state)
    {
        for (var i = AlmostFull; i >= Empty; i--)
        {
            if (state.Head[i] is { } z)
            {
                return z;
            }
        }

        return null;
    }

    private static int FullnessGroup(ClassState state, Zspage zspage)
    {
        var inuse = zspage.Inuse;
        var objs = state.Class.ObjectsPerZspage;
        return inuse == 0 ? Empty
            : inuse == objs ? Full
            : inuse <= 3 * objs / FullnessThresholdFrac ? AlmostEmpty
            : AlmostFull;
    }

    private static int FixFullnessGroup(ClassState state, Zspage zspage)
    {
        var newFg = FullnessGroup(state, zspage);
        if (newFg != zspage.Fullness)
        {
            Remove(state, zspage);
            Insert(state, zspage, newFg);
        }

        return newFg;
    }

    // insert_zspage: at the head, unless the head has more objects in use, then right after the head.
    private static void Insert(ClassState state, Zspage zspage, int fullness)
    {
        state.Count[fullness]++;
        zspage.Fullness = fullness;
        var head = state.Head[fullness];
        if (head is not null && zspage.Inuse < head.Inuse)
        {
            zspage.Prev = head;
            zspage.Next = head.Next;
            if (head.Next is not null)
            {
                head.Next.Prev = zspage;
            }

            head.Next = zspage;
        }
        else
        {
            zspage.Prev = null;
            zspage.Next = head;
            if (head is not null)
            {
                head.Prev = zspage;
            }

            state.Head[fullness] = zspage;
        }
    }

    private static void Remove(ClassState state, Zspage zspage)
    {
        var fullness = zspage.Fullness;
        state.Count[fullness]--;
        if (zspage.Prev is not null)
        {
            zspage.Prev.Next = zspage.Next;
        }
        else
        {
            state.Head[fullness] = zspage.Next;
        }

        if (zspage.Next is not null)
        {
            zspage.Next.Prev = zspage.Prev;
        }

        zspage.Prev = zspage.Next = null;
    }

    private sealed class ClassState(ZsSizeClass cls)
    {
        public ZsSizeClass Class { get; } = cls;

        public Zspage?[] Head { get; } = new Zspage?[NrFullness];

        public long[] Count { get; } = new long[NrFullness];

        public long ObjAllocated { get; set; }

        public long ObjUsed { get; set; }
    }

    private sealed class Zspage(int classIndex)
    {
        public int ClassIndex { get; } = classIndex;

        public int Inuse { get; set; }

        public int Fullness { get; set; }

        public Zspage? Prev { get; set; }

        public Zspage? Next { get; set; }
    }
}
