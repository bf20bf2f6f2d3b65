namespace DynDbg.ElfSim.DynDbg;

/// <summary>One object the diet transform wrote: its file name (link order = name order), where, how many
/// descriptors it holds (0 for the module's <c>.mod.o</c> part) and its size.</summary>
public sealed record DietObject(string Name, string Path, int Descriptors, long Bytes);
