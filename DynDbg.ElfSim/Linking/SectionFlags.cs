namespace DynDbg.ElfSim.Linking;

/// <summary>
/// The section attributes GNU ld reasons with (BFD's SEC_* flags, bfd/section.c), derived from an ELF section
/// header the way bfd/elf.c <c>_bfd_elf_make_section_from_shdr</c> does. Orphan placement, output-section flags
/// and the output ELF type follow from these, so they are kept as BFD has them rather than as sh_flags.
/// </summary>
[Flags]
public enum SectionFlags
{
    None = 0,
    Alloc = 1 << 0,
    Load = 1 << 1,
    Reloc = 1 << 2,
    ReadOnly = 1 << 3,
    Code = 1 << 4,
    Data = 1 << 5,
    HasContents = 1 << 6,
    NeverLoad = 1 << 7,
    ThreadLocal = 1 << 8,
    Merge = 1 << 9,
    Strings = 1 << 10,
    Exclude = 1 << 11,
    Debugging = 1 << 12,
    LinkOnce = 1 << 13,
    Group = 1 << 14,
    Keep = 1 << 15,

    /// <summary>The attributes ld compares when it looks for a place for an orphan (lang_output_section_find_by_flags).</summary>
    PlacementMask = HasContents | Alloc | Load | ReadOnly | Code | ThreadLocal,
}
