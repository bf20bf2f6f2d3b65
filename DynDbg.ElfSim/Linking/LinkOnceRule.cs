namespace DynDbg.ElfSim.Linking;

/// <summary>
/// How <c>.gnu.linkonce.*</c> input sections are treated. GNU ld keeps the first section of each name and discards
/// the rest (bfd/elflink.c <c>_bfd_elf_section_already_linked</c>); lld, since it stopped discarding them all
/// (ClangBuiltLinux/linux#329, #432), links every copy like an ordinary section. tool-conventions.md section 1.
/// </summary>
public enum LinkOnceRule
{
    Gnu,
    Lld,
}
