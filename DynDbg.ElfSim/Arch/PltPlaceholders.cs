using DynDbg.ElfSim.Elf;
using DynDbg.ElfSim.Loading;

namespace DynDbg.ElfSim.Arch;

/// <summary>
/// The first loop of arm's and arm64's <c>module_frob_arch_sections</c>: the module.lds.h placeholders and the
/// symbol table, found by name and type over all section headers, a later match winning as in the kernel; and the
/// two refusals that follow it.
/// </summary>
internal static class PltPlaceholders
{
    /// <summary>Indexes of .plt, .init.plt, .text.ftrace_trampoline (0 when absent; arm has none) and the symtab.</summary>
    public static (int CorePlt, int InitPlt, int Trampoline, int Symtab) Find(ElfFile file, LoaderSectionHeaders headers, string moduleName)
    {
        int corePlt = 0, initPlt = 0, tramp = 0, symtab = 0;
        for (var i = 0; i < headers.Count; i++)
        {
            var s = headers.Sections[i];
            if (s.Name == ".plt")
            {
                corePlt = i;
            }
            else if (s.Name == ".init.plt")
            {
                initPlt = i;
            }
            else if (s.Name == ".text.ftrace_trampoline")
            {
                tramp = i;
            }
            else if (s.Type == ElfConstants.ShtSymtab)
            {
                symtab = i;
            }
        }

        if (corePlt == 0 || initPlt == 0)
        {
            throw new LoaderRefusal(Aarch64ModuleArch.PltMissing, file.Path, $"{moduleName}: module PLT section(s) missing", "-ENOEXEC");
        }

        if (symtab == 0)
        {
            throw new LoaderRefusal(Aarch64ModuleArch.SymtabMissing, file.Path, $"{moduleName}: module symtab section missing", "-ENOEXEC");
        }

        return (corePlt, initPlt, tramp, symtab);
    }
}
