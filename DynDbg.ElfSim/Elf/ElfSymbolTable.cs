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

    public string GetName(int index) => _file.ReadString(StringSection, _symbols[index].NameOffset,
        $"symbol [{index}] in {Section.Describe()}");

    /// <summary>Index of the first symbol named <paramref name="name"/>, or -1.</summary>
    /// <remarks>
    /// Several stages look names up in vmlinux's 130 000 symbols (bounds symbols, linux_banner, class maps); one
    /// hashed index over the name bytes, built on first use, serves them all without a string per symbol.
    /// </remarks>
    public int IndexOf(string name)
    {
        var wanted = Encoding.UTF8.GetBytes(name);
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

    /// <summary>Indices of several names; missing names map to -1.</summary>
    public Dictionary<string, int> IndicesOf(params string[] names) => names.ToDictionary(n => n, IndexOf);

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
