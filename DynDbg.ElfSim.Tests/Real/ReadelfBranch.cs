namespace DynDbg.ElfSim.Tests.Real;

/// <summary>A relocation as <c>readelf -W -r</c> prints it: type name, symbol index, addend; and its symbol's Ndx.</summary>
public sealed record ReadelfBranch(string Type, int Symbol, long Addend, string SymbolNdx);
