using DynDbg.ElfSim.Elf;

namespace DynDbg.ElfSim.Linking;

/// <summary>The relocations of one output section, stably sorted by offset as GNU ld sorts them
/// (bfd/elflink.c <c>elf_link_adjust_relocs</c>). Each entry's symbol is its index in <see cref="LinkResult.Symbols"/>
/// plus one (0 for none, as in r_info), which is the ordinal the ELF writer gives it; REL addends are 0 here, as
/// they live in the section contents.</summary>
/// <remarks>Entries are made when asked for (<see cref="EntryAt"/>, in order as the writer asks), from the input
/// relocation sections they come from; only tables that had to be sorted or edited hold them.</remarks>
public sealed class OutputRelocationTable
{
    private readonly Func<int, int> _resolveSymbol;
    private readonly List<Part> _parts = [];
    private ulong _lastOffset;
    private bool _unsorted;
    private List<int>? _removable;

    // The part the calling thread last read from, as a hint: the writer encodes a big table on two threads, 2048
    // entries apart, and one shared hint made each thread miss on the other's part (a search and a contended line).
    // Keyed by a number, not the table: a thread-static reference would keep the last link's graph alive.
    [ThreadStatic]
    private static int t_table;

    [ThreadStatic]
    private static int t_cursor;

    private static int s_tables;
    private readonly int _id = Interlocked.Increment(ref s_tables);

    private sealed class Part(int start, RelocationRun? run, RelocationCollector? collector)
    {
        public int Start = start;
        public readonly RelocationRun? Run = run;
        public readonly RelocationCollector? Collector = collector;
        public readonly List<ElfWriterRelocation> Kept = [];

        // The offsets this part covers and whether they come in order: a table whose parts are each in order
        // and do not interleave is sorted by putting the parts in order, without touching an entry.
        public ulong Min = ulong.MaxValue;
        public ulong Max;
        public bool Sorted = true;

        /// <summary>For a run whose entries are out of offset order: its entries in stable offset order.</summary>
        public int[]? Order;

        public void Cover(ulong offset)
        {
            Sorted &= Count == 0 || offset >= Max;
            Min = Math.Min(Min, offset);
            Max = Math.Max(Max, offset);
            Count++;
        }

        public int Count;
    }

    /// <summary>Entries kept as they are (edited .eh_frame, ARM's EXIDX_CANTUNWIND).</summary>
    internal sealed class Chunk
    {
        private readonly OutputRelocationTable _table;
        private readonly Part _part;

        internal Chunk(OutputRelocationTable table, object part)
        {
            _table = table;
            _part = (Part)part;
        }

        public void Add(in ElfWriterRelocation e, bool removable = false)
        {
            _table.Note(e.Offset, removable);
            _part.Cover(e.Offset);
            _part.Kept.Add(e);
        }
    }

    internal OutputRelocationTable(OutputSection target, bool isRela, Func<int, int> resolveSymbol)
    {
        Target = target;
        IsRela = isRela;
        _resolveSymbol = resolveSymbol;
    }

    public OutputSection Target { get; }
    public bool IsRela { get; }
    public int Count { get; private set; }

    /// <summary>Entry <paramref name="i"/> as written. Once the table is finished, two threads may ask at once (the
    /// writer encodes big tables on two cores): converting an entry again has no side effects, and each thread keeps
    /// its own hint of the part it last read.</summary>
    public ElfWriterRelocation EntryAt(int i)
    {
        var e = RawEntry(i);
        return e.Symbol < 0 ? e with { Symbol = _resolveSymbol(e.Symbol) } : e;
    }

    private void Note(ulong offset, bool removable)
    {
        if (Count > 0 && offset < _lastOffset)
        {
            _unsorted = true;
        }

        _lastOffset = offset;
        if (removable)
        {
            (_removable ??= []).Add(Count);
        }

        Count++;
    }

    /// <summary>Adds the run's entries, of which <paramref name="offsetOf"/> gives each one's output offset and
    /// <paramref name="removable"/> whether ld may drop it (against a discarded section, from a debugging section).</summary>
    internal void AddRun(RelocationRun run, RelocationCollector collector, Func<int, (ulong Offset, bool Removable)> entry)
    {
        if (run.Table.Count == 0)
        {
            return;
        }

        var part = new Part(Count, run, collector);
        for (var k = 0; k < run.Table.Count; k++)
        {
            var (offset, removable) = entry(k);
            Note(offset, removable);
            part.Cover(offset);
        }

        _parts.Add(part);
    }

    /// <summary>A chunk for entries that are kept as they are; consecutive chunks share one part.</summary>
    internal Chunk OpenChunk()
    {
        if (_parts.Count > 0 && _parts[^1].Run is null)
        {
            return new Chunk(this, _parts[^1]);
        }

        var p = new Part(Count, null, null);
        _parts.Add(p);
        return new Chunk(this, p);
    }

    /// <summary>RELOC_AGAINST_DISCARDED_SECTION in a relocatable link: a debugging section's relocation against a
    /// discarded section is removed while the output section's relocation count stays above one; the one that would
    /// empty it stays, as R_*_NONE. Then the stable sort by offset, where the backend sorts and the inputs did not
    /// come in order. Either makes the table keep its entries.</summary>
    internal void Finish(bool sortsByOffset)
    {
        var sort = sortsByOffset && _unsorted;
        if (_removable is null && (!sort || SortByParts()))
        {
            return;
        }

        var entries = new List<ElfWriterRelocation>(Count);
        var drop = _removable is null ? null : new HashSet<int>(_removable);
        var keep = _removable is { } r && r.Count == Count ? r[^1] : -1;
        for (var i = 0; i < Count; i++)
        {
            if (drop is null || !drop.Contains(i) || i == keep)
            {
                entries.Add(RawEntry(i));
            }
        }

        var part = new Part(0, null, null);
        part.Kept.AddRange(sort ? entries.OrderBy(e => e.Offset) : entries); // LINQ's OrderBy is stable, as ld's insertion sort is.
        _parts.Clear();
        _parts.Add(part);
        _removable = null;
        Count = part.Kept.Count;
    }

    /// <summary>The stable sort by offset, when every part is in order and no two interleave: the parts in the order
    /// of their offsets (inputs met in final-link order are usually in output order section by section; the
    /// common case of a file met early through another output section is this one).</summary>
    private bool SortByParts()
    {
        if (_parts.Any(p => !p.Sorted && p.Run is null))
        {
            return false;
        }

        foreach (var p in _parts.Where(p => !p.Sorted))
        {
            // Inside one input relocation section (gas leaves them in fixup order): an index in offset order, 4
            // bytes an entry instead of a copy of it.
            var offsets = new ulong[p.Count];
            for (var k = 0; k < offsets.Length; k++)
            {
                offsets[k] = p.Run!.OffsetOf(p.Run.Table.At(k));
            }

            var index = new int[p.Count];
            for (var k = 0; k < index.Length; k++)
            {
                index[k] = k;
            }

            Array.Sort(index, (a, b) => offsets[a] != offsets[b] ? offsets[a].CompareTo(offsets[b]) : a.CompareTo(b));
            p.Order = index;
            p.Sorted = true;
        }

        var order = _parts.Select((p, i) => (Part: p, Index: i)).OrderBy(x => x.Part.Min).ThenBy(x => x.Index).ToList();
        for (var i = 1; i < order.Count; i++)
        {
            var (a, b) = (order[i - 1], order[i]);
            if (a.Part.Max > b.Part.Min || (a.Part.Max == b.Part.Min && a.Index > b.Index))
            {
                return false;
            }
        }

        var start = 0;
        _parts.Clear();
        foreach (var (p, _) in order)
        {
            p.Start = start;
            start += p.Count;
            _parts.Add(p);
        }

        return true;
    }

    private ElfWriterRelocation RawEntry(int i)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(i);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(i, Count);
        var cursor = t_table == _id ? t_cursor : 0;
        if (!Covers(cursor, i))
        {
            // Binary search for the part holding i (the writer asks in order, so this is rare).
            int lo = 0, hi = _parts.Count - 1;
            while (lo < hi)
            {
                var mid = (lo + hi + 1) / 2;
                if (_parts[mid].Start <= i)
                {
                    lo = mid;
                }
                else
                {
                    hi = mid - 1;
                }
            }

            cursor = lo;
            (t_table, t_cursor) = (_id, cursor);
        }

        var p = _parts[cursor];
        var k = i - p.Start;
        if (p.Run is not { } run)
        {
            return p.Kept[k];
        }

        if (p.Order is { } order)
        {
            k = order[k];
        }

        var r = run.Table.At(k);
        return p.Collector!.Convert(run, r, k, run.OffsetOf(r), first: false, out _);
    }

    private bool Covers(int part, int i) =>
        part < _parts.Count && _parts[part].Start <= i && (part + 1 == _parts.Count || i < _parts[part + 1].Start);
}
