namespace DynDbg.ElfSim.Linking;

/// <summary>One token with its source location. <see cref="Value"/> is set for numbers.</summary>
internal readonly record struct ScriptToken(ScriptTokenKind Kind, string Text, ScriptLocation Location, ulong Value = 0, bool Quoted = false)
{
    public bool Is(string punctOrKeyword) => Kind is ScriptTokenKind.Punct or ScriptTokenKind.Keyword && Text == punctOrKeyword;

    public bool IsName => Kind == ScriptTokenKind.Name;

    public string Describe() => Kind switch
    {
        ScriptTokenKind.End => "end of file",
        ScriptTokenKind.Number => $"number '{Text}'",
        _ => $"'{Text}'",
    };
}
