using DynDbg.ElfSim.Elf;
using DynDbg.ElfSim.Loading;

namespace DynDbg.ElfSim.Arch;

/// <summary>x86_64 and i386: the generic <c>module_frob_arch_sections</c> (kernel/module/main.c, __weak), which returns 0.</summary>
public sealed class X86ModuleArch : IModuleArch
{
    public static X86ModuleArch Instance { get; } = new();

    private X86ModuleArch()
    {
    }

    public void FrobArchSections(ElfFile file, LoaderSectionHeaders headers, string moduleName, KernelConfig config, ModuleArchOptions options, List<string> notes)
    {
    }

    public ModuleRelocator CreateRelocator(LoadedModule module) =>
        module.File.Header.Machine == ElfMachine.X86_64 ? new X86_64Relocator(module) : new I386Relocator(module);
}
