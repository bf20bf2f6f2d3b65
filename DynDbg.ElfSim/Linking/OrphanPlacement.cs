namespace DynDbg.ElfSim.Linking;

/// <summary>Where <see cref="OrphanPlacer"/> put a new orphan output section, relative to <see cref="OrphanPlacement.After"/>.</summary>
internal enum OrphanHow
{
    AfterNamed,  // after the output section named by ld's orphan place for the kind (.text, .rodata, .data, ...)
    AfterFlags,  // after the last output section with matching flags
    BeforeAll,   // no output section has matching flags
    AtEnd,       // debugging sections are not placed by flags
}

/// <summary>
/// How ld's orphan placement chose an orphan's output section, kept as its parts and worded when read (explain,
/// the JSON report): a 70 000-section object would otherwise format 70 000 sentences, 30 MB, that no one reads.
/// </summary>
internal sealed record OrphanPlacement(string Kind, string Output, OrphanHow How, string? After, bool SameNameDiffers, bool JoinedEmpty = false, bool Grouped = false)
{
    /// <summary>Joined an existing output section of the same name.</summary>
    public static OrphanPlacement Joined(string output, bool empty) => new("", output, OrphanHow.AfterNamed, null, false, empty) { IsJoin = true };

    private bool IsJoin { get; init; }

    public override string ToString()
    {
        if (IsJoin)
        {
            return JoinedEmpty
                ? $"orphan: joined the script's empty output section {Output} of the same name"
                : $"orphan: joined output section {Output} of the same name (compatible flags)";
        }

        var how = How switch
        {
            OrphanHow.AfterNamed => $"after {After} (ld puts {Kind} orphans after an output section of that name)",
            OrphanHow.AfterFlags => $"after {After}, the last output section with matching flags",
            OrphanHow.BeforeAll => "before every script section (no output section has matching flags)",
            _ => "at the end (debugging sections are not placed by flags)",
        };
        return $"orphan ({Kind}): new output section {Output}, placed {how}" +
               (Grouped ? " (a section group's: ld -r gives each its own, unique_section_p)"
                   : SameNameDiffers ? " (a same-named section exists but its flags or type differ)" : "");
    }
}
