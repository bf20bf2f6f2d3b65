using DynDbg.ElfSim.Control;

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
    string Format,
    string? Diet = null);
