namespace DynDbg.ElfSim.Reports;

/// <summary>
/// One input section in the teaching report: which input file (<see cref="File"/>, an index into
/// <see cref="LayoutView.Files"/>), where it landed in its output section, the script line that placed it
/// (<see cref="Line"/>, a <see cref="ScriptLineView.Key"/>; null for orphans and linkonce duplicates), the reason
/// as <c>explain</c> words it (<see cref="Why"/>, an index into <see cref="LayoutView.Reasons"/>), and for a
/// <c>.gnu.linkonce.*</c> header the element of its array it became (-1: not on an element boundary or alone).
/// </summary>
public sealed record InputSectionView(int File, string Name, ulong Offset, ulong Size, string? Line, int Why, bool Orphan, bool LinkOnce, long Element);
