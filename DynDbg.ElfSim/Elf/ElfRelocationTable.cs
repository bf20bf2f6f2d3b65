namespace DynDbg.ElfSim.Elf;

/// <summary>
/// An SHT_REL/SHT_RELA section, checked when it was opened: the section it patches, the symbols it uses, and its
/// entries, decoded from the mapped file one at a time (<see cref="At"/>) or, for callers that want them all at
/// once, as an array built on first use (<see cref="Entries"/>).
/// </summary>
public sealed class ElfRelocationTable
{
    private readonly ElfFile _file;
    private readonly int _entSize;
    private ElfRelocation[]? _entries;

    internal ElfRelocationTable(ElfSection section, ElfSection target, ElfSymbolTable symbols, ElfFile file, int entSize)
    {
        Section = section;
        Target = target;
        Symbols = symbols;
        _file = file;
        _entSize = entSize;
        Count = (int)(section.Size / (ulong)entSize);
    }

    public ElfSection Section { get; }
    public ElfSection Target { get; }
    public ElfSymbolTable Symbols { get; }
    public bool IsRela => Section.Type == ElfConstants.ShtRela;
    public int Count { get; }

    /// <summary>Entry <paramref name="i"/>, decoded from the file.</summary>
    public ElfRelocation At(int i) => _entries is { } e ? e[i] : _file.DecodeRelocation(Section, _entSize, i);

    /// <summary>r_offset of entry <paramref name="i"/>.</summary>
    public ulong OffsetAt(int i) => _entries is { } e ? e[i].Offset : _file.RelocationOffset(Section, _entSize, i);

    /// <summary>
    /// The entry whose r_offset is <paramref name="offset"/>, or -1, in a table in ascending r_offset order. The entry
    /// after <paramref name="hint"/> is tried first: a table's records are read in order, each pointer at the next
    /// relocation. The offsets are read from one span of the table, not one bounds-checked read per probe.
    /// </summary>
    internal int IndexOfSorted(ulong offset, int hint)
    {
        if (_entries is not null)
        {
            return IndexOfSorted(offset, hint, (ReadOnlySpan<byte>)[], 0, default);
        }

        var width = _file.Header.Is64 ? 8 : 4;
        return IndexOfSorted(offset, hint, _file.GetContents(Section), width, _file.Endian);
    }

    private int IndexOfSorted(ulong offset, int hint, ReadOnlySpan<byte> bytes, int width, ElfEndian e)
    {
        var next = hint + 1;
        if ((uint)next < (uint)Count && OffsetIn(bytes, width, e, next) == offset)
        {
            return next;
        }

        int lo = 0, hi = Count - 1;
        while (lo <= hi)
        {
            var mid = lo + ((hi - lo) >> 1);
            var at = OffsetIn(bytes, width, e, mid);
            if (at == offset)
            {
                return mid;
            }

            (lo, hi) = at < offset ? (mid + 1, hi) : (lo, mid - 1);
        }

        return -1;
    }

    /// <summary>r_offset of entry <paramref name="i"/>: from the decoded entries when kept, else from the table's bytes.</summary>
    private ulong OffsetIn(ReadOnlySpan<byte> bytes, int width, ElfEndian e, int i)
    {
        if (_entries is { } all)
        {
            return all[i].Offset;
        }

        var s = bytes.Slice(i * _entSize, width);
        return width == 8 ? e.U64(s) : e.U32(s);
    }

    /// <summary>Every entry, decoded once and kept (32 bytes each) for callers that walk the table many times.</summary>
    public ReadOnlySpan<ElfRelocation> Entries
    {
        get
        {
            if (_entries is null)
            {
                var all = new ElfRelocation[Count];
                for (var i = 0; i < all.Length; i++)
                {
                    all[i] = _file.DecodeRelocation(Section, _entSize, i);
                }

                _entries = all;
            }

            return _entries;
        }
    }
}
