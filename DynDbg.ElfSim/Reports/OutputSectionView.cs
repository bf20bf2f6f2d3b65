namespace DynDbg.ElfSim.Reports;

/// <summary>One output section of the teaching report: its place, its input sections in output order, and the
/// element size when a <c>.gnu.linkonce.*</c> header makes it an array (0 otherwise).</summary>
public sealed record OutputSectionView(int Index, string Name, ulong Address, ulong Size, bool Alloc, IReadOnlyList<InputSectionView> Inputs, ulong ElementSize);
