using System.Text;

namespace DynDbg.ElfSim.Elf;

/// <summary>A decoded SHT_SYMTAB (or SHT_DYNSYM) with its string table. Names are decoded on demand.</summary>
public sealed class ElfSymbolTable
{
    private readonly ElfFile _file;
    private readonly ElfSymbol[] _symbols;

    internal ElfSymbolTable(ElfFile file, ElfSection section, ElfSection strings, ElfSymbol[] symbols)
    {
        _file = file;
        Section = section;
        StringSection = strings;
        _symbols = symbols;
    }

    public ElfSection Section { get; }
    public ElfSection StringSection { get; }
    public int Count => _symbols.Length;
    public ReadOnlySpan<ElfSymbol> Symbols => _symbols;
    public ElfSymbol this[int index] => _symbols[index];

    public string GetName(int index) => _file.ReadString(StringSection, _symbols[index].NameOffset,
        $"symbol [{index}] in {Section.Describe()}");

    /// <summary>Index of the first symbol named <paramref name="name"/>, comparing bytes (no string per symbol).</summary>
    public int IndexOf(string name)
    {
        var wanted = Encoding.UTF8.GetBytes(name);
        for (var i = 1; i < _symbols.Length; i++)
        {
            if (_file.StringEquals(StringSection, _symbols[i].NameOffset, wanted))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>Indices of several names in one pass; missing names map to -1.</summary>
    public Dictionary<string, int> IndicesOf(params string[] names)
    {
        var result = names.ToDictionary(n => n, _ => -1);
        var wanted = names.Select(n => (Name: n, Bytes: Encoding.UTF8.GetBytes(n))).ToArray();
        var left = wanted.Length;
        for (var i = 1; i < _symbols.Length && left > 0; i++)
        {
            foreach (var (n, bytes) in wanted)
            {
                if (result[n] < 0 && _file.StringEquals(StringSection, _symbols[i].NameOffset, bytes))
                {
                    result[n] = i;
                    left--;
                }
            }
        }

        return result;
    }
}
