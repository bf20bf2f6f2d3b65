using DynDbg.ElfSim.Elf;
using DynDbg.ElfSim.Loading;

namespace DynDbg.ElfSim.Arch;

/// <summary>
/// MIPS (32 and 64-bit): 6.1 arch/mips/kernel/module.c defines no <c>module_frob_arch_sections</c> and no
/// <c>module_init_section</c>, so the generic ones (kernel/module/main.c, __weak) apply: nothing is resized and
/// ".init*" is init. Its work is all in <c>apply_relocate(_add)</c>: <see cref="MipsRelocator"/> (REL HI16/LO16
/// pairing, RELA, the three-types-per-entry Elf64_Mips_Rela of which the kernel applies r_type alone).
/// </summary>
public sealed class MipsModuleArch : IModuleArch
{
    public static MipsModuleArch Instance { get; } = new();

    private MipsModuleArch()
    {
    }

    public ModuleRelocator CreateRelocator(LoadedModule module) => new MipsRelocator(module);

    public void FrobArchSections(ElfFile file, LoaderSectionHeaders headers, string moduleName, KernelConfig config, ModuleArchOptions options, List<string> notes)
    {
    }
}
