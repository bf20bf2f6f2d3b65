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
