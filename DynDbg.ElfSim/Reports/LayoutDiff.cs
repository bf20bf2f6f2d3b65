using System.Globalization;

namespace DynDbg.ElfSim.Reports;

/// <summary>
/// One output section that differs between two links (issue 17, panel "before/after"): present only after
/// (<see cref="Added"/>), only before (<see cref="Removed"/>), with another size (<see cref="Delta"/>), or
/// <see cref="Moved"/>: at another address, or in another place among the sections both links have.
/// </summary>
public sealed record SectionDiffRow(string Name, OutputSectionView? Before, OutputSectionView? After, bool Moved)
{
    public bool Added => Before is null;
    public bool Removed => After is null;
    public long Delta => (long)(After?.Size ?? 0) - (long)(Before?.Size ?? 0);

    /// <summary>What changed, as the panel and its tests name it: added, removed, grown, shrunk, moved (a section
    /// that both moved and changed size is "grown moved" or "shrunk moved").</summary>
    public string Change => Added ? "added" : Removed ? "removed"
        : string.Join(' ', new[] { Delta > 0 ? "grown" : Delta < 0 ? "shrunk" : null, Moved ? "moved" : null }.Where(c => c is not null));
}

/// <summary>
/// The output sections of two links compared as <c>scripts/bloat-o-meter</c> compares symbols, from the two
/// <see cref="LayoutView"/>s the link engine's results were turned into (nothing is laid out again): the rows of
/// what changed, in bloat-o-meter's order (delta descending, then name descending), and its totals. Sections are
/// matched by name (the k-th of a repeated name with the k-th). Moves are not in bloat-o-meter's counts; they are
/// rows of their own with delta 0.
/// </summary>
public sealed record LayoutDiff(
    string BeforeName,
    string AfterName,
    IReadOnlyList<SectionDiffRow> Rows,
    ulong BeforeTotal,
    ulong AfterTotal,
    LayoutView Before,
    LayoutView After)
{
    public int Added => Rows.Count(r => r.Added);
    public int Removed => Rows.Count(r => r.Removed);
    public int Grown => Rows.Count(r => r is { Added: false, Removed: false, Delta: > 0 });
    public int Shrunk => Rows.Count(r => r is { Added: false, Removed: false, Delta: < 0 });
    public int MovedCount => Rows.Count(r => r.Moved);

    /// <summary>Bytes added (new sections and growth) and removed (a negative number, or 0).</summary>
    public long Up => Rows.Where(r => r.Delta > 0).Sum(r => r.Delta);
    public long Down => Rows.Where(r => r.Delta < 0).Sum(r => r.Delta);

    /// <summary>bloat-o-meter's first line: <c>add/remove: A/R grow/shrink: G/S up/down: U/-D (T)</c>.</summary>
    public string Summary => string.Create(CultureInfo.InvariantCulture,
        $"add/remove: {Added}/{Removed} grow/shrink: {Grown}/{Shrunk} up/down: {Up}/{Down} ({Up + Down})");

    /// <summary>bloat-o-meter's last line: <c>Total: Before=B, After=A, chg +P%</c>.</summary>
    public string TotalLine => string.Create(CultureInfo.InvariantCulture,
        $"Total: Before={BeforeTotal}, After={AfterTotal}, chg {(BeforeTotal == 0 ? 0 : ((double)AfterTotal - BeforeTotal) * 100 / BeforeTotal):+0.00;-0.00;+0.00}%");

    public static LayoutDiff Of(string beforeName, LayoutView before, string afterName, LayoutView after)
    {
        var oldKeys = Keyed(before.Sections);
        var newKeys = Keyed(after.Sections);
        var old = oldKeys.ToDictionary(k => k.Key, k => k.Section, StringComparer.Ordinal);
        var now = newKeys.ToDictionary(k => k.Key, k => k.Section, StringComparer.Ordinal);
        // Order is compared among the sections both links have, so one added section does not move all that follow.
        var oldRank = Ranks(oldKeys, now);
        var newRank = Ranks(newKeys, old);
        var rows = new List<SectionDiffRow>();
        foreach (var (key, o) in oldKeys)
        {
            if (!now.TryGetValue(key, out var n))
            {
                rows.Add(new SectionDiffRow(o.Name, o, null, false));
                continue;
            }

            var moved = o.Address != n.Address || oldRank[key] != newRank[key];
            if (moved || o.Size != n.Size)
            {
                rows.Add(new SectionDiffRow(o.Name, o, n, moved));
            }
        }

        rows.AddRange(newKeys.Where(k => !old.ContainsKey(k.Key)).Select(k => new SectionDiffRow(k.Section.Name, null, k.Section, false)));
        var sorted = rows.OrderByDescending(r => r.Delta).ThenByDescending(r => r.Name, StringComparer.Ordinal).ToArray();
        return new LayoutDiff(beforeName, afterName, sorted,
            before.Sections.Aggregate(0UL, (t, s) => t + s.Size), after.Sections.Aggregate(0UL, (t, s) => t + s.Size), before, after);
    }

    /// <summary>Sections in their order, keyed by name; the second of a repeated name is "name#2", and so on.</summary>
    private static List<(string Key, OutputSectionView Section)> Keyed(IReadOnlyList<OutputSectionView> sections)
    {
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        var keyed = new List<(string, OutputSectionView)>();
        foreach (var s in sections)
        {
            var k = seen[s.Name] = seen.GetValueOrDefault(s.Name) + 1;
            keyed.Add((k == 1 ? s.Name : $"{s.Name}#{k}", s));
        }

        return keyed;
    }

    /// <summary>The place of each section among those the other link has too.</summary>
    private static Dictionary<string, int> Ranks(List<(string Key, OutputSectionView Section)> order, Dictionary<string, OutputSectionView> other) =>
        order.Where(k => other.ContainsKey(k.Key)).Select((k, i) => (k.Key, i)).ToDictionary(x => x.Key, x => x.i, StringComparer.Ordinal);
}
