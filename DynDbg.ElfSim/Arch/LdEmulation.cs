using DynDbg.ElfSim.Elf;

namespace DynDbg.ElfSim.Arch;

/// <summary>What an architecture's ld.bfd emulation (ld/emultempl/*.em) adds to a <c>-r</c> link around the backend.</summary>
public static class LdEmulation
{
    /// <summary>
    /// ld/emultempl/aarch64elf.em <c>aarch64_elf_create_output_section_statements</c> adds a fake input file,
    /// "linker stubs" (BFD_LINKER_CREATED, no sections in a relocatable link), after <c>lang_final</c> put the
    /// OUTPUT statement, so the map ends with "LOAD linker stubs". ld/emultempl/armelf.em
    /// <c>arm_elf_create_output_section_statements</c> does the same, and ld/emultempl/ppc64elf.em <c>ppc_create_output_section_statements</c> adds the same
    /// "linker stubs" file for its stub sections.
    /// </summary>
    public static bool AddsLinkerStubsFile(ElfMachine machine) => machine is ElfMachine.AArch64 or ElfMachine.Arm or ElfMachine.Ppc64;
}
