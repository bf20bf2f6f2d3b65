namespace DynDbg.ElfSim.Linking;

/// <summary>Kinds of linker-script tokens. Keywords are names whose text is a keyword in the lexer's state.</summary>
internal enum ScriptTokenKind
{
    End,
    Name,
    Keyword,
    Number,
    Punct,
}
