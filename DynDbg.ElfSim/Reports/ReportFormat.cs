namespace DynDbg.ElfSim.Reports;

/// <summary>What <c>--format</c> asks for. Each command accepts its own subset; the names on the command line are lower case.</summary>
public enum ReportFormat
{
    Text,
    Json,
    Junit,
    Csv,
    Sarif,
    GitHub,
}
