using DynDbg.ElfSim.Checks;

namespace DynDbg.ElfSim.Reports;

/// <summary>
/// What a whole <c>check</c> run found, counted once for the text summary line and the JSON summary element, over
/// every file checked (<c>--failures-only</c> thins the per-file reports, never these counts).
/// </summary>
public sealed record CheckTotals(int Files, int Passed, int Failed, int Unreadable, int Hazards, int Findings,
    IReadOnlyList<KeyValuePair<string, int>> FindingsById, TimeSpan Elapsed, DateTime Started)
{
    public static CheckTotals Of(IReadOnlyList<FileCheck> all, DateTime started, TimeSpan elapsed)
    {
        var unreadable = all.Count(c => c.Unreadable is not null);
        var failed = all.Count(c => c.Failed) - unreadable;
        // Findings only (errors and hazards): an unreadable file has none and counts in Unreadable.
        var ids = all.SelectMany(c => c.Findings.Select(f => f.Id))
            .GroupBy(id => id, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => KeyValuePair.Create(g.Key, g.Count())).ToList();
        return new CheckTotals(all.Count, all.Count - failed - unreadable, failed, unreadable,
            all.Sum(c => c.Findings.Count(f => f.Severity == CheckSeverity.Hazard)), all.Sum(c => c.Findings.Count), ids, elapsed, started);
    }
}
