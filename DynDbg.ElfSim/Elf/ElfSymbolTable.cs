using System.Text;

namespace DynDbg.ElfSim.Elf;

/// <summary>A decoded SHT_SYMTAB (or SHT_DYNSYM) with its string table. Names are decoded on demand.</summary>
public sealed class ElfSymbolTable
{
    private readonly ElfFile _file;
    private readonly ElfSymbol[] _symbols;
    private readonly Lazy<(Dictionary<ulong, int> Head, int[] Next)> _byName;

    internal ElfSymbolTable(ElfFile file, ElfSection section, ElfSection strings, ElfSymbol[] symbols)
    {
        _file = file;
        Section = section;
        StringSection = strings;
        _symbols = symbols;
        _byName = new Lazy<(Dictionary<ulong, int>, int[])>(BuildNameIndex);
    }

    public ElfSection Section { get; }
    public ElfSection StringSection { get; }
    public int Count => _symbols.Length;
    public ReadOnlySpan<ElfSymbol> Symbols => _symbols;
    public ElfSymbol this[int index] => _symbols[index];

    public string GetName(int index) =>
        Encoding.UTF8.GetString(_file.StringSpan(StringSection, _symbols[index].NameOffset, ElfWhere.Entry("symbol", index, Section)));

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

        for (; i >= 0; i = next[i])
        {
            if (_file.StringEquals(StringSection, _symbols[i].NameOffset, wanted))
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
        var found = new int[wanted.Length];
        Array.Fill(found, -1);
        var strings = _file.GetContents(StringSection);
        var left = wanted.Length;
        for (var i = 1; i < _symbols.Length && left > 0; i++)
        {
            var off = _symbols[i].NameOffset;
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

    private (Dictionary<ulong, int>, int[]) BuildNameIndex()
    {
        var head = new Dictionary<ulong, int>(_symbols.Length);
        var next = new int[_symbols.Length];
        var strings = _file.GetContents(StringSection);
        // Walk backwards so each chain starts at the lowest index: IndexOf finds the first symbol of a name.
        for (var i = _symbols.Length - 1; i >= 1; i--)
        {
            next[i] = -1;
            var off = _symbols[i].NameOffset;
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
