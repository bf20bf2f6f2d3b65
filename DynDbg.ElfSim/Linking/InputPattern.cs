namespace DynDbg.ElfSim.Linking;

/// <summary>
/// A file or section name pattern (<c>*</c>, <c>?</c>, <c>[...]</c> as fnmatch reads them), how it sorts, and the
/// files it excludes (<c>EXCLUDE_FILE(a.o b.o)</c>).
/// </summary>
public sealed record InputPattern(string Pattern, InputSort Sort, IReadOnlyList<string> ExcludeFiles)
{
    public bool Matches(string name) => Glob.Matches(Pattern, name);

    /// <summary>As the map prints a section pattern: <c>SORT_BY_NAME(.ctors.*)</c>, <c>EXCLUDE_FILE(x.o) .text</c>.</summary>
    public string PrintSection()
    {
        var (open, close) = Sort switch
        {
            InputSort.ByName => ("SORT_BY_NAME(", ")"),
            InputSort.ByAlignment => ("SORT_BY_ALIGNMENT(", ")"),
            InputSort.ByNameAlignment => ("SORT_BY_NAME(SORT_BY_ALIGNMENT(", "))"),
            InputSort.ByAlignmentName => ("SORT_BY_ALIGNMENT(SORT_BY_NAME(", "))"),
            InputSort.ByNone => ("SORT_NONE(", ")"),
            InputSort.ByInitPriority => ("SORT_BY_INIT_PRIORITY(", ")"),
            _ => ("", ""),
        };
        var exclude = ExcludeFiles.Count > 0 ? $"EXCLUDE_FILE({PrintExcludes(ExcludeFiles)}) " : "";
        return open + exclude + Pattern + close;
    }

    /// <summary>ld's parser builds exclude lists by prepending, so its map lists them last first.</summary>
    internal static string PrintExcludes(IReadOnlyList<string> files) => string.Join(' ', files.Reverse());
}
