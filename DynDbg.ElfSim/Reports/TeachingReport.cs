using DynDbg.ElfSim.Checks;
using DynDbg.ElfSim.Compression;

namespace DynDbg.ElfSim.Reports;

/// <summary>
/// What <c>report</c> draws (issue 17), built once from the link, the load and the checks (<see cref="TeachingReportBuilder"/>)
/// and rendered by <see cref="HtmlReport"/>: the layout under GNU ld's rule and, when the inputs have
/// <c>.gnu.linkonce.*</c> sections, under lld's; the module load; the diet indirection; the site-column compression
/// study of a mainline table (<c>compress</c>'s stores, untimed); the verdict; and with <c>--vs-script</c> or
/// <c>--vs</c>, the output sections against a second link (<see cref="LayoutDiff"/>).
/// </summary>
public sealed record TeachingReport(
    string Command,
    string Image,
    string Kind,
    LayoutView Layout,
    LayoutView? LldLayout,
    LoadView? Load,
    DietView? Diet,
    CompressionResult? Compression,
    IReadOnlyList<CheckFinding> Findings,
    IReadOnlyList<string> Notes,
    LayoutDiff? Diff = null)
{
    public bool Failed => Findings.Any(f => f.Severity == CheckSeverity.Error) || Load?.Refusal is not null;
}
