namespace DynDbg.ElfSim.Compression;

/// <summary>
/// The cover letter's late fetch: a site is fetched from its store on the first enabled use of its callsite
/// (a <c>pr_debug</c> that prints, which needs the modname/function/filename for its prefix), kept by module and
/// <c>_index</c>, and dropped when the callsite is disabled (<c>-p</c>). Memory is counted as the kernel would
/// spend it (docs/compression.md, "Late-fetch cache"): a fixed <c>DEFINE_HASHTABLE(…, 6)</c> of 64 bucket
/// pointers, and per entry one <c>kmalloc</c> of <c>{ struct hlist_node; const char *mod; unsigned int index;
/// struct _ddebug_site site; }</c> rounded up to its kmalloc size class. <paramref name="capacity"/> is how many
/// entries to make room for at once (the study fills one per callsite; growing a million-entry table step by step
/// leaves every smaller one behind as garbage).
/// </summary>
public sealed class LateFetchCache(int pointerSize, int capacity = 0)
{
    public const int Buckets = 64;

    private static readonly int[] KmallocClasses = [8, 16, 32, 64, 96, 128, 192, 256];

    private readonly Dictionary<(string Module, int Index), Site> _entries = new(capacity);

    public int PointerSize { get; } = pointerSize is 4 or 8 ? pointerSize
        : throw new ArgumentOutOfRangeException(nameof(pointerSize), pointerSize, "pointer size must be 4 or 8");

    public int Count => _entries.Count;

    /// <summary>Store Gets done (first enabled uses).</summary>
    public long Fetches { get; private set; }

    public long Hits { get; private set; }

    /// <summary>
    /// The entry's C size: hlist_node (2 pointers) + mod pointer + unsigned int index padded to a pointer +
    /// the site (3 pointers), the whole aligned to 8 as <c>struct _ddebug_site</c> is.
    /// </summary>
    public int EntryStructBytes => (((6 * PointerSize) + PointerSize + 7) / 8) * 8;

    /// <summary>What kmalloc really hands out for one entry (its size class).</summary>
    public int EntryBytes => KmallocClasses.First(c => c >= EntryStructBytes);

    public int TableBytes => Buckets * PointerSize;

    /// <summary>Memory the cache holds now.</summary>
    public long MemoryBytes => TableBytes + ((long)_entries.Count * EntryBytes);

    /// <summary>The memory with <paramref name="enabled"/> callsites enabled and used.</summary>
    public long MemoryFor(long enabled) => TableBytes + (enabled * EntryBytes);

    /// <summary>A <c>pr_debug</c> of an enabled callsite: the cached site, or a fetch from <paramref name="store"/> kept for next time.</summary>
    public Site Use(string module, int index, SiteStore store)
    {
        if (_entries.TryGetValue((module, index), out var site))
        {
            Hits++;
            return site;
        }

        site = store.Get(index);
        store.Put(index);
        _entries[(module, index)] = site;
        Fetches++;
        return site;
    }

    /// <summary><c>-p</c> on a callsite: its entry, if any, is freed. Returns whether there was one.</summary>
    public bool Disable(string module, int index) => _entries.Remove((module, index));

    public bool Contains(string module, int index) => _entries.ContainsKey((module, index));
}
