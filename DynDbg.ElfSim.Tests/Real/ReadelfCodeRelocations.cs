namespace DynDbg.ElfSim.Tests.Real;

/// <summary>The chosen relocations into one executable section, from <see cref="ReadelfOracle.RelocationsIntoCode"/>.</summary>
public sealed record ReadelfCodeRelocations(int Target, string TargetName, IReadOnlyList<ReadelfBranch> Entries);
