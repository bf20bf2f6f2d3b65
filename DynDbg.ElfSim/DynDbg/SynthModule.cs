namespace DynDbg.ElfSim.DynDbg;

/// <summary>
/// One module of a synthetic tree: its name, where it goes under <c>lib/modules/&lt;release&gt;/</c>, how many call
/// sites it has and its units, made on demand (each call replays the same seeded sequence).
/// </summary>
public sealed record SynthModule(string Name, string RelativePath, int Callsites, Func<IEnumerable<CompilationUnit>> Units);
