using System.Text;

namespace DynDbg.ElfSim.Elf;

/// <summary>
/// A checked SHT_SYMTAB (or SHT_DYNSYM) with its string table. Entries are decoded from the file's bytes when asked
/// (a load looks at a few of vmlinux.o's 51 000, or a million-call-site object's 1.2 million), until
/// <see cref="DecodeAll"/> keeps them all decoded for callers that read every entry many times (the linker). Names are
/// decoded on demand.
/// </summary>
public sealed class ElfSymbolTable
{
    private readonly ElfFile _file;
    private readonly ElfSection? _shndx;
    private ElfSymbol[]? _symbols;
    private readonly Lazy<(Dictionary<ulong, int> Head, int[] Next)> _byName;

    internal ElfSymbolTable(ElfFile file, ElfSection section, ElfSection strings, ElfSection? shndx, int count)
    {
        _file = file;
        Section = section;
        StringSection = strings;
        _shndx = shndx;
        Count = count;
        _byName = new Lazy<(Dictionary<ulong, int>, int[])>(BuildNameIndex);
    }

    public ElfSection Section { get; }
    public ElfSection StringSection { get; }
    public int Count { get; }

    /// <summary>Every entry, decoded once and kept (see <see cref="DecodeAll"/>).</summary>
    public ReadOnlySpan<ElfSymbol> Symbols => DecodeAll();

    public ElfSymbol this[int index]
    {
        get
        {
            if (_symbols is { } all)
            {
                return all[index];
            }

            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)index, (uint)Count, nameof(index));
            return _file.DecodeSymbol(Section, _shndx, index);
        }
    }

    /// <summary>Decodes every entry once and keeps them: for callers that read each entry many times.</summary>
    public ElfSymbol[] DecodeAll()
    {
        if (_symbols is { } done)
        {
            return done;
        }

        var all = new ElfSymbol[Count];
        for (var i = 0; i < all.Length; i++)
        {
            all[i] = _file.DecodeSymbol(Section, _shndx, i);
        }

        return _symbols = all; // two threads may both decode; either array is the same
    }

    /// <summary>st_name of entry <paramref name="i"/>, read in place (<paramref name="entries"/> is the table's bytes).</summary>
    private uint NameOffsetAt(ReadOnlySpan<byte> entries, int i) =>
        _symbols is { } all ? all[i].NameOffset : _file.Endian.U32(entries[(i * _file.Header.ExpectedSymEntSize)..]);

    public string GetName(int index) => Encoding.UTF8.GetString(GetNameBytes(index));

    /// <summary>Entry <paramref name="index"/>'s name, its UTF-8 bytes in place (without the NUL).</summary>
    public ReadOnlySpan<byte> GetNameBytes(int index) =>
        _file.StringSpan(StringSection, this[index].NameOffset, ElfWhere.Entry("symbol", index, Section));

    /// <summary>Index of the first symbol named <paramref name="name"/>, or -1.</summary>
    /// <remarks>
    /// A load of vmlinux looks up a handful of names (bounds symbols, linux_banner, class maps) among 130 000
    /// symbols: a straight scan comparing name bytes in place costs about a millisecond each, where hashing every
    /// name up front cost 45 ms (docs/performance.md). Callers that look up many names get the hashed index after
    /// <see cref="ScanLookups"/> scans.
    /// </remarks>
    public int IndexOf(string name)
    {
        var wanted = Encoding.UTF8.GetBytes(name);
        if (Interlocked.Increment(ref _lookups) <= ScanLookups)
        {
            return Scan([wanted])[0];
        }

        var (head, next) = _byName.Value;
        if (!head.TryGetValue(Hash(wanted), out var i))
        {
            return -1;
        }

        var entries = _file.GetContents(Section);
        for (; i >= 0; i = next[i])
        {
            if (_file.StringEquals(StringSection, NameOffsetAt(entries, i), wanted))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>Indices of several names, found in one pass over the table; missing names map to -1.</summary>
    public Dictionary<string, int> IndicesOf(params string[] names)
    {
        Interlocked.Increment(ref _lookups);
        var wanted = names.Select(n => Encoding.UTF8.GetBytes(n)).ToArray();
        var found = Scan(wanted);
        var result = new Dictionary<string, int>();
        for (var k = 0; k < names.Length; k++)
        {
            result.TryAdd(names[k], found[k]);
        }

        return result;
    }

    private const int ScanLookups = 8;
    private int _lookups;

    /// <summary>The lowest index of each wanted name (-1 if none), comparing in place: the terminating NUL first,
    /// which rejects almost every symbol with one byte read.</summary>
    private int[] Scan(byte[][] wanted)
    {
        if (Array.TrueForAll(wanted, IsBoundsName))
        {
            return ScanBounds(wanted);
        }

        var found = new int[wanted.Length];
        Array.Fill(found, -1);
        var strings = _file.GetContents(StringSection);
        var entries = _file.GetContents(Section);
        var left = wanted.Length;
        for (var i = 1; i < Count && left > 0; i++)
        {
            var off = NameOffsetAt(entries, i);
            if (off == 0 || off >= (uint)strings.Length)
            {
                continue;
            }

            for (var k = 0; k < wanted.Length; k++)
            {
                var w = wanted[k];
                var end = (long)off + w.Length;
                if (found[k] < 0 && end < strings.Length && strings[(int)end] == 0 && strings.Slice((int)off, w.Length).SequenceEqual(w))
                {
                    found[k] = i;
                    left--;
                }
            }
        }

        return found;
    }

    // The __start_X/__stop_X symbols met so far by ScanBounds (name bytes as Latin-1, a string per byte string), by
    // lowest index, and the first symbol not yet looked at. A load asks for the bounds of __dyndbg, then of
    // __dyndbg_classes, then whether __start___dyndbg_classes exists: one pass over vmlinux.o's 51 000 symbols (each
    // pass about half a millisecond, mostly cache misses) instead of one per question.
    private readonly Dictionary<string, int> _bounds = new();
    private int _boundsScanned = 1;

    private static bool IsBoundsName(byte[] name) =>
        (name.AsSpan().StartsWith("__start_"u8) || name.AsSpan().StartsWith("__stop_"u8)) && !name.AsSpan().Contains((byte)0);

    /// <summary><see cref="Scan"/> for bounds names: answered from the symbols already met, the rest of the table
    /// walked only as far as needed, noting every bounds symbol on the way.</summary>
    private int[] ScanBounds(byte[][] wanted)
    {
        var keys = Array.ConvertAll(wanted, w => Encoding.Latin1.GetString(w));
        var strings = _file.GetContents(StringSection);
        var entries = _file.GetContents(Section);
        lock (_bounds)
        {
            if (!Array.TrueForAll(keys, _bounds.ContainsKey))
            {
                for (; _boundsScanned < Count; )
                {
                    var i = _boundsScanned++;
                    var off = NameOffsetAt(entries, i);
                    if (off == 0 || off >= (uint)strings.Length)
                    {
                        continue;
                    }

                    var rest = strings[(int)off..];
                    if (!rest.StartsWith("__start_"u8) && !rest.StartsWith("__stop_"u8))
                    {
                        continue;
                    }

                    var nul = rest.IndexOf((byte)0);
                    if (nul >= 0 && _bounds.TryAdd(Encoding.Latin1.GetString(rest[..nul]), i) && Array.TrueForAll(keys, _bounds.ContainsKey))
                    {
                        break;
                    }
                }
            }

            return Array.ConvertAll(keys, k => _bounds.TryGetValue(k, out var i) ? i : -1);
        }
    }

    private (Dictionary<ulong, int>, int[]) BuildNameIndex()
    {
        var head = new Dictionary<ulong, int>(Count);
        var next = new int[Count];
        var strings = _file.GetContents(StringSection);
        var entries = _file.GetContents(Section);
        // Walk backwards so each chain starts at the lowest index: IndexOf finds the first symbol of a name.
        for (var i = Count - 1; i >= 1; i--)
        {
            next[i] = -1;
            var off = NameOffsetAt(entries, i);
            if (off == 0 || off >= (uint)strings.Length)
            {
                continue;
            }

            var rest = strings[(int)off..];
            var nul = rest.IndexOf((byte)0);
            var h = Hash(nul < 0 ? rest : rest[..nul]);
            if (head.TryGetValue(h, out var first))
            {
                next[i] = first;
            }

            head[h] = i;
        }

        return (head, next);
    }

    /// <summary>FNV-1a over the name's bytes.</summary>
    private static ulong Hash(ReadOnlySpan<byte> name)
    {
        var h = 14695981039346656037UL;
        foreach (var b in name)
        {
            h = (h ^ b) * 1099511628211UL;
        }

        return h;
    }
}
