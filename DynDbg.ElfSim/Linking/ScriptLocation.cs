namespace DynDbg.ElfSim.Linking;

/// <summary>Where a linker-script construct was written: <c>file:line:column</c> (1-based), as compilers print it.</summary>
public readonly record struct ScriptLocation(string File, int Line, int Column)
{
    public override string ToString() => $"{File}:{Line}:{Column}";

    /// <summary><c>file:line</c>, the form GNU ld uses in maps and messages.</summary>
    public string FileLine => $"{File}:{Line}";
}
