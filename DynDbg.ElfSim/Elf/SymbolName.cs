namespace DynDbg.ElfSim.Elf;

/// <summary>
/// A symbol's name: a string, or entry N of an input's symbol table, read from its string table only when asked
/// for. A link copies tens of thousands of local symbols from its inputs (36 000 in the real x86_64 vmlinux.o); as
/// strings their names were the largest part of the link's heap, and the writer wants their UTF-8 bytes anyway.
/// </summary>
public readonly struct SymbolName : IEquatable<SymbolName>
{
    private readonly object? _source; // string, or the ElfSymbolTable entry _index is in
    private readonly int _index;

    public SymbolName(string text) => _source = text;

    public SymbolName(ElfSymbolTable table, int index)
    {
        _source = table;
        _index = index;
    }

    public static implicit operator SymbolName(string text) => new(text);

    /// <summary>The name as a string (decoded now when it lives in a symbol table).</summary>
    public override string ToString() => _source switch
    {
        string s => s,
        ElfSymbolTable t => t.GetName(_index),
        _ => "",
    };

    /// <summary>The name's UTF-8 bytes in place, when it lives in a symbol table; false for a string.</summary>
    public bool TryGetUtf8(out ReadOnlySpan<byte> utf8)
    {
        if (_source is ElfSymbolTable t)
        {
            utf8 = t.GetNameBytes(_index);
            return true;
        }

        utf8 = default;
        return false;
    }

    public bool Equals(SymbolName other) => ReferenceEquals(_source, other._source) && _index == other._index
        || string.Equals(ToString(), other.ToString(), StringComparison.Ordinal);

    public override bool Equals(object? obj) => obj is SymbolName n && Equals(n);

    public override int GetHashCode() => ToString().GetHashCode(StringComparison.Ordinal);

    public static bool operator ==(SymbolName a, SymbolName b) => a.Equals(b);

    public static bool operator !=(SymbolName a, SymbolName b) => !a.Equals(b);
}
