namespace DynDbg.ElfSim.Reports;

/// <summary>The <c>--format</c> names. The options accept only their own names, so parsing cannot fail here.</summary>
public static class ReportFormats
{
    public static ReportFormat Parse(string name) => name switch
    {
        "json" => ReportFormat.Json,
        "junit" => ReportFormat.Junit,
        "csv" => ReportFormat.Csv,
        "sarif" => ReportFormat.Sarif,
        "github" => ReportFormat.GitHub,
        _ => ReportFormat.Text,
    };
}
