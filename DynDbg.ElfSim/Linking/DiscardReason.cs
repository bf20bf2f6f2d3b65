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

    /// <summary>A <c>.note.gnu.property</c> whose properties were merged into another input's note, or the kept one
    /// when the merge left nothing (bfd/elf-properties.c <c>_bfd_elf_link_setup_gnu_properties</c> sets its output
    /// section to the absolute section).</summary>
    PropertyNoteMerged,

    /// <summary>In a COMDAT section group whose signature an earlier group already brought (the .group section and
    /// every member go; bfd/elflink.c <c>_bfd_elf_section_already_linked</c>), or a single-member group's member that
    /// a linkonce section of the same key and symbols replaced.</summary>
    GroupDuplicate,
}
