using DynDbg.ElfSim.Control;
using DynDbg.ElfSim.Reports;

namespace DynDbg.ElfSim.Cli;

/// <summary>The parsed options of <c>control</c>.</summary>
public sealed record ControlOptions(
    IReadOnlyList<string> Positionals,
    IReadOnlyList<string> Queries,
    bool Echo,
    bool Steps,
    bool Sites,
    int Verbose,
    FlagLetters Letters,
    string TrimPrefix,
    int Pid,
    bool Interrupt,
    string Profile,
    ReportFormat Format,
    string? Diet = null,
    bool Changed = false);
