namespace DynDbg.ElfSim.Elf;

/// <summary>
/// The relocations of one section by r_offset, for pointer reads. Sorted offsets and entry numbers (12 bytes per
/// relocation) instead of a dictionary of tuples (about 80 bytes each, more while it grows): a million-record
/// vmlinux.o has four million of them (issue 6). When several relocations hit one offset the last one wins, as in
/// the module loader. The usual case, one table already in offset order (what as and ld write), is searched in
/// place without any copy.
/// </summary>
public sealed class RelocationIndex
{
    private readonly ElfRelocationTable[] _tables;
    private readonly int[] _starts;
    private readonly ulong[]? _offsets;
    private readonly int[]? _ids;

    private RelocationIndex(ElfRelocationTable[] tables, int[] starts, ulong[]? offsets, int[]? ids)
    {
        _tables = tables;
        _starts = starts;
        _offsets = offsets;
        _ids = ids;
    }

    /// <summary>How many offsets are patched (each counted once).</summary>
    public int Count => _offsets?.Length ?? _tables[0].Count;

    /// <summary>The <paramref name="k"/>-th patched offset, ascending.</summary>
    public ulong OffsetAt(int k) => _offsets is { } o ? o[k] : _tables[0].OffsetAt(k);

    public static RelocationIndex Build(ElfRelocationTable[] tables)
    {
        var starts = new int[tables.Length + 1];
        if (tables.Length == 1 && InOrder(tables[0]))
        {
            starts[1] = tables[0].Count;
            return new RelocationIndex(tables, starts, null, null);
        }

        for (var t = 0; t < tables.Length; t++)
        {
            starts[t + 1] = checked(starts[t] + tables[t].Count);
        }

        var total = starts[^1];
        var offsets = new ulong[total];
        var ids = new int[total];
        var sorted = true;
        for (var t = 0; t < tables.Length; t++)
        {
            var table = tables[t];
            for (var i = 0; i < table.Count; i++)
            {
                var k = starts[t] + i;
                offsets[k] = table.OffsetAt(i);
                ids[k] = k;
                sorted &= k == 0 || offsets[k - 1] < offsets[k];
            }
        }

        if (!sorted)
        {
            // Unstable sort, then keep the highest entry number (the last one) of each run of equal offsets.
            Array.Sort(offsets, ids);
            var n = 0;
            for (var k = 0; k < total; k++)
            {
                if (n > 0 && offsets[n - 1] == offsets[k])
                {
                    ids[n - 1] = Math.Max(ids[n - 1], ids[k]);
                }
                else
                {
                    offsets[n] = offsets[k];
                    ids[n] = ids[k];
                    n++;
                }
            }

            Array.Resize(ref offsets, n);
            Array.Resize(ref ids, n);
        }

        return new RelocationIndex(tables, starts, offsets, ids);
    }

    private static bool InOrder(ElfRelocationTable table)
    {
        for (var i = 1; i < table.Count; i++)
        {
            if (table.OffsetAt(i - 1) >= table.OffsetAt(i))
            {
                return false;
            }
        }

        return true;
    }

    // Where the last hit was: the next lookup tries the entry after it first (a table's pointers are read in order).
    // Only a hint, checked before use, so threads that overwrite it stay correct.
    private int _lastHit = -1;

    /// <summary>The relocation at <paramref name="offset"/>, its table and its index in that table.</summary>
    public bool TryGet(ulong offset, out (ElfRelocation Rel, ElfRelocationTable Table, int Index) hit)
    {
        if (_offsets is null)
        {
            var i = _tables.Length == 0 ? -1 : _tables[0].IndexOfSorted(offset, _lastHit);
            if (i < 0)
            {
                hit = default;
                return false;
            }

            _lastHit = i;
            hit = (_tables[0].At(i), _tables[0], i);
            return true;
        }

        var next = _lastHit + 1;
        var k = (uint)next < (uint)_offsets.Length && _offsets[next] == offset ? next : Array.BinarySearch(_offsets, offset);
        if (k < 0)
        {
            hit = default;
            return false;
        }

        _lastHit = k;

        var id = _ids![k];
        var t = Array.BinarySearch(_starts, id);
        t = t >= 0 ? t : ~t - 1;
        while (t + 1 < _starts.Length && _starts[t + 1] <= id)
        {
            t++; // skip empty tables that share a start
        }

        var index = id - _starts[t];
        hit = (_tables[t].At(index), _tables[t], index);
        return true;
    }
}
