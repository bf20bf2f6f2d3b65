using DynDbg.ElfSim.Elf;
using DynDbg.ElfSim.Loading;

namespace DynDbg.ElfSim.Arch;

/// <summary>
/// One architecture's hooks in the 6.1 module loader (arch/*/kernel/module*.c), as lld keeps one
/// <c>TargetInfo</c> per machine in lld/ELF/Arch/*.cpp. <see cref="ModuleArch.For"/> picks it by e_machine.
/// </summary>
public interface IModuleArch
{
    /// <summary>
    /// <c>module_frob_arch_sections</c>, called by <c>layout_and_allocate</c> before the W^X check and
    /// <c>layout_sections</c>: may resize, retype, realign or reflag sections in <paramref name="headers"/>.
    /// Throws <see cref="Loading.LoaderRefusal"/> where the kernel returns an error; adds to
    /// <paramref name="notes"/> what it could not emulate.
    /// </summary>
    void FrobArchSections(ElfFile file, LoaderSectionHeaders headers, string moduleName, KernelConfig config, ModuleArchOptions options, List<string> notes);

    /// <summary>
    /// <c>module_init_layout_section</c> (kernel/module/main.c): whether <c>layout_sections</c> puts a section in the
    /// init region. The generic one: <c>module_init_section</c> (".init*"), and <c>module_exit_section</c> (".exit*")
    /// when modules cannot be unloaded; arches with their own <c>module_init_section</c> (arm) override it.
    /// </summary>
    bool IsInitLayoutSection(string name, KernelConfig config) => ModuleLoader.IsInitLayoutSection(name, config);

    /// <summary>
    /// <c>apply_relocate_add</c>/<c>apply_relocate</c> for <paramref name="module"/>, or null where the arch has no
    /// emulation of them (the absolute pointer types are then applied and the rest noted).
    /// </summary>
    ModuleRelocator? CreateRelocator(LoadedModule module) => null;
}
