namespace DynDbg.ElfSim.Linking;

/// <summary>
/// A parsed linker script: its statements in order (every <c>SECTIONS</c> block and <c>INCLUDE</c>d file
/// flattened, as GNU ld keeps one statement list), the files it was read from, and <c>ENTRY</c> if given.
/// </summary>
public sealed record LinkerScript(string Name, IReadOnlyList<ScriptStatement> Statements, IReadOnlyList<string> Files)
{
    /// <summary>Every statement, depth first, output sections before their children.</summary>
    public IEnumerable<ScriptStatement> All()
    {
        foreach (var s in Statements)
        {
            yield return s;
            if (s is ScriptStatement.OutputSection os)
            {
                foreach (var c in os.Children)
                {
                    yield return c;
                }
            }
        }
    }
}
