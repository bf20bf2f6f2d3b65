using DynDbg.ElfSim.DynDbg;
using DynDbg.ElfSim.Reports;

namespace DynDbg.ElfSim.Cli;

/// <summary><c>load</c>'s command line, parsed and checked (<see cref="LoadCommand"/>).</summary>
public sealed record LoadOptions(
    IReadOnlyList<string> Paths,
    DdebugLayout? Profile,
    DietVariant? Diet,
    bool Control,
    ReportFormat Format,
    string? Script,
    bool Separate,
    ulong? CoreBase)
{
    /// <summary>One input read as it is; several inputs, or any with a script, are linked into one image first.</summary>
    public bool Links => !Separate && (Paths.Count > 1 || Script is not null);
}
