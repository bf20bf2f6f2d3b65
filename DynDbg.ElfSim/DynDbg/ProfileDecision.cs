namespace DynDbg.ElfSim.DynDbg;

/// <summary>The layout chosen for a table and the evidence, in the order it was weighed.</summary>
public sealed record ProfileDecision(DdebugLayout Layout, IReadOnlyList<string> Evidence, bool Forced);
