using DynDbg.ElfSim.Checks;
using DynDbg.ElfSim.Loading;

namespace DynDbg.ElfSim.Reports;

/// <summary>Panel 3: a diet image's load and the walk of its first records from <c>__dyndbg[N]</c> to its site
/// (<see cref="DietWalk"/>), with the findings of the same load.</summary>
public sealed record DietView(DietLoad Load, IReadOnlyList<DietWalk> Walks, IReadOnlyList<CheckFinding> Findings);
