namespace DynDbg.ElfSim.Reports;

/// <summary>
/// Panel 1 of the teaching report: one link (GNU's linkonce rule, or lld's), its output sections in address order,
/// the input sections that did not make it, the script's lines, and the distinct reasons (<c>explain</c>'s "why"
/// column, kept once each). A linked image that is not linked again has sections but no script (<see cref="Rule"/>
/// says so).
/// </summary>
public sealed record LayoutView(
    string Rule,
    string? Script,
    IReadOnlyList<string> Files,
    IReadOnlyList<ScriptLineView> ScriptLines,
    IReadOnlyList<OutputSectionView> Sections,
    IReadOnlyList<InputSectionView> Discarded,
    IReadOnlyList<string> Reasons,
    IReadOnlyList<string> HeaderNotes);
