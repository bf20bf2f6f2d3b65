namespace DynDbg.ElfSim.Linking;

/// <summary>Why an input section is not in the output.</summary>
public enum DiscardReason
{
    /// <summary>Kept.</summary>
    None,

    /// <summary>A later <c>.gnu.linkonce.*</c> section with a name already linked (GNU rule: one per name).</summary>
    LinkOnceDuplicate,

    /// <summary>Matched by a <c>/DISCARD/</c> output section.</summary>
    DiscardStatement,

    /// <summary>The file's <c>COMMON</c> section, which only a script pattern places: ld -r keeps common symbols
    /// common, so its orphan pass leaves it out (ld/ldlang.c <c>lang_place_orphans</c>).</summary>
    CommonNotPlaced,
}
