using DynDbg.ElfSim.Arch;
using DynDbg.ElfSim.DynDbg;
using DynDbg.ElfSim.Elf;

namespace DynDbg.ElfSim.Loading;

/// <summary>
/// The placement half of 6.1 <c>load_module()</c> (kernel/module/main.c, kallsyms.c; reference §2, invariants 32–33):
/// <c>setup_load_info</c>, <c>rewrite_section_headers</c>, the flag changes of <c>layout_and_allocate</c>,
/// <c>layout_sections</c>' five passes for core then init sections, <c>layout_symtab</c>, and the destinations of
/// <c>move_module</c>. <c>module_frob_arch_sections</c> is the architecture's (<see cref="ModuleArch.For"/>: a no-op
/// on x86, PLT sizing on arm64 and arm, whose <c>module_init_section</c> also moves .ARM.ex*.init* to init, GOT and
/// PLT reserved at the core's start on s390, .stubs sizing and no init region but kallsyms' on ppc64, the generic
/// hook on mips); machines without hooks are laid out with the sizes found in the file (noted).
/// </summary>
public static class ModuleLoader
{
    public const string NoSymbols = "LDR001";
    public const string NoModule = "LDR002";
    public const string WriteExec = "LDR003";

    /// <summary>include/uapi/linux/elf.h</summary>
    public const ulong ShfRoAfterInit = 0x00200000;

    private static readonly (ulong Required, ulong Forbidden, string Name)[] Masks =
    [
        (ElfConstants.ShfExecInstr | ElfConstants.ShfAlloc, 0, "text"),
        (ElfConstants.ShfAlloc, ElfConstants.ShfWrite, "ro"),
        (ShfRoAfterInit | ElfConstants.ShfAlloc, 0, "ro_after_init"),
        (ElfConstants.ShfWrite | ElfConstants.ShfAlloc, 0, "rw"),
        (ElfConstants.ShfAlloc, 0, "small"), // ARCH_SHF_SMALL is 0 on every arch Debian ships but ia64
    ];

    /// <param name="strict">
    /// True: refuse what load_module refuses (no symbols, no .gnu.linkonce.this_module). False: lay out any
    /// relocatable object's sections by the same rules (e.g. objects linked without a .mod.o), skipping the
    /// symbol-table part when there is no symbol table and not refusing W|X sections.
    /// </param>
    public static ModuleLayout Layout(ElfFile file, KernelConfig? config = null, bool strict = true, ModuleArchOptions? arch = null)
    {
        config ??= KernelConfig.Debian61;
        var secs = file.Sections;
        var headers = new LoaderSectionHeaders(secs);
        var flags = headers.Flags;
        var notes = new List<string>();

        // setup_load_info
        var modinfo = FindSec(secs, flags, ".modinfo");
        var name = modinfo > 0 ? KernelVersionProbe.ModInfo(file, secs[modinfo], "name") : null;
        var symIndex = secs.Skip(1).FirstOrDefault(s => s.Type == ElfConstants.ShtSymtab)?.Index ?? 0;
        if (symIndex == 0 && strict)
        {
            throw new LoaderRefusal(NoSymbols, file.Path, $"{name ?? "(missing .modinfo section or name field)"}: module has no symbols (stripped?)", "-ENOEXEC");
        }

        var strIndex = symIndex == 0 ? 0 : (int)secs[symIndex].Link;
        var mod = FindSec(secs, flags, ".gnu.linkonce.this_module");
        if (mod == 0 && strict)
        {
            throw new LoaderRefusal(NoModule, file.Path, $"{name ?? "(missing .modinfo section or name field)"}: No module found in object", "-ENOEXEC");
        }

        name ??= (mod > 0 ? KernelVersionProbe.ThisModuleName(file, secs[mod]) : null) ?? "?";
        var vers = FindSec(secs, flags, "__versions");
        var pcpu = FindSec(secs, flags, ".data..percpu");

        // rewrite_section_headers: track but don't keep modinfo and version sections (index 0 when absent).
        flags[vers] &= ~ElfConstants.ShfAlloc;
        flags[modinfo] &= ~ElfConstants.ShfAlloc;

        // layout_and_allocate: module_frob_arch_sections first
        var hook = ModuleArch.For(file.Header.Machine);
        if (hook is null)
        {
            notes.Add($"module_frob_arch_sections for {ElfMachineNames.Describe(file.Header.Machine, file.Header.Is64)} is not emulated: PLT/GOT sections keep their file sizes");
        }
        else
        {
            try
            {
                hook.FrobArchSections(file, headers, name, config, arch ?? ModuleArchOptions.Default, notes);
            }
            catch (LoaderRefusal r) when (!strict)
            {
                // not a module built by kbuild (no module.lds placeholders); the hooks refuse before changing anything
                notes.Add($"module_frob_arch_sections would refuse this object ({r.Message}): sections keep their file sizes");
            }
        }

        if (config.StrictModuleRwx && strict)
        {
            const ulong wx = ElfConstants.ShfWrite | ElfConstants.ShfExecInstr;
            for (var i = 0; i < secs.Count; i++)
            {
                if ((flags[i] & wx) == wx)
                {
                    throw new LoaderRefusal(WriteExec, file.Path, $"{name}: section {secs[i].Name} (index {i}) has invalid WRITE|EXEC flags", "-ENOEXEC");
                }
            }
        }

        flags[pcpu] &= ~ElfConstants.ShfAlloc; // percpu gets its own allocation
        foreach (var ro in new[] { ".data..ro_after_init", "__jump_table" })
        {
            var ndx = FindSec(secs, flags, ro);
            if (ndx > 0)
            {
                flags[ndx] |= ShfRoAfterInit;
            }
        }

        // layout_sections: offsets go into sh_entsize; ~0 means "not placed yet". Core sections first, then init.
        var placed = new LoadedSection?[secs.Count];
        var isInit = hook is null ? (Func<string, bool>)(n => IsInitLayoutSection(n, config)) : n => hook.IsInitLayoutSection(n, config);
        var (core, coreText, coreRo, coreRoAfterInit) = LayoutPass(headers, placed, ModuleRegion.Core, config, headers.CoreSize, isInit);
        var (init, initText, initRo, _) = LayoutPass(headers, placed, ModuleRegion.Init, config, 0, isInit);

        // layout_symtab (CONFIG_KALLSYMS): the full symtab and strtab go at the end of init; room for the core
        // symbols is appended to the core allocation.
        if (config.Kallsyms && symIndex != 0)
        {
            flags[symIndex] |= ElfConstants.ShfAlloc;
            placed[symIndex] = Place(headers, symIndex, ModuleRegion.Init, ref init, "symtab");
            var symtab = file.GetSymbolTable(secs[symIndex]);
            ulong coreSymbols = 0, strtabSize = 0;
            for (var i = 0; i < symtab.Count; i++)
            {
                if (i == 0 || IsCoreSymbol(symtab[i], flags, placed, config))
                {
                    strtabSize += (ulong)file.StringSpan(secs[strIndex], symtab[i].NameOffset, $"symbol [{i}]").Length + 1;
                    coreSymbols++;
                }
            }

            var symAlign = Math.Max(secs[symIndex].AddrAlign, 1);
            core = AlignUp(core, symAlign) + (coreSymbols * (ulong)file.Header.ExpectedSymEntSize) + strtabSize + coreSymbols;
            core = StrictAlign(core, config);
            flags[strIndex] |= ElfConstants.ShfAlloc;
            placed[strIndex] = Place(headers, strIndex, ModuleRegion.Init, ref init, "strtab");
            // struct mod_kallsyms { Elf_Sym *symtab; unsigned int num_symtab; char *strtab; char *typetab; }
            var p = (ulong)file.PointerSize;
            init = AlignUp(init, p) + (4 * p) + (ulong)symtab.Count;
            init = StrictAlign(init, config);
        }

        var sections = placed.Where(s => s is not null).Select(s => s!).ToArray();
        return new ModuleLayout(name, sections, core, coreText, coreRo, coreRoAfterInit, init, initText, initRo, notes, headers.CoreSize, config, arch ?? ModuleArchOptions.Default);
    }

    /// <summary>
    /// One of <c>layout_sections</c>' two passes over the masks: the sections of <paramref name="region"/> (those
    /// <c>module_init_layout_section</c> says are init, or the others for core) still unplaced, appended to that
    /// region's <c>module_layout</c>. Returns its size and the text, ro and ro_after_init boundaries; the init
    /// layout keeps no ro_after_init boundary of its own (the kernel copies ro_size there), so it is left 0.
    /// <paramref name="start"/> is the region's size before the pass (the core's may hold an arch reservation).
    /// </summary>
    private static (ulong Size, ulong Text, ulong Ro, ulong RoAfterInit) LayoutPass(
        LoaderSectionHeaders headers, LoadedSection?[] placed, ModuleRegion region, KernelConfig config, ulong start, Func<string, bool> isInit)
    {
        var secs = headers.Sections;
        var flags = headers.Flags;
        var init = region == ModuleRegion.Init;
        ulong size = start, text = 0, ro = 0, roAfterInit = 0;
        for (var m = 0; m < Masks.Length; m++)
        {
            for (var i = 0; i < secs.Count; i++)
            {
                if (Fits(flags[i], m) && placed[i] is null && isInit(secs[i].Name) == init)
                {
                    placed[i] = Place(headers, i, region, ref size, Masks[m].Name);
                }
            }

            switch (m)
            {
                case 0: size = StrictAlign(size, config); text = size; break;
                case 1: size = StrictAlign(size, config); ro = size; break;
                case 2 when !init: size = StrictAlign(size, config); roAfterInit = size; break;
                case 4: size = StrictAlign(size, config); break;
            }
        }

        return (size, text, ro, roAfterInit);
    }

    /// <summary><c>find_sec</c>: the first section from index 1 that is SHF_ALLOC and named exactly so, else 0.</summary>
    private static int FindSec(IReadOnlyList<ElfSection> secs, ulong[] flags, string name)
    {
        for (var i = 1; i < secs.Count; i++)
        {
            if ((flags[i] & ElfConstants.ShfAlloc) != 0 && secs[i].Name == name)
            {
                return i;
            }
        }

        return 0;
    }

    private static bool Fits(ulong flags, int pass) =>
        (flags & Masks[pass].Required) == Masks[pass].Required && (flags & Masks[pass].Forbidden) == 0;

    /// <summary><c>module_init_layout_section</c>: ".init*", and ".exit*" when modules cannot be unloaded.</summary>
    internal static bool IsInitLayoutSection(string name, KernelConfig config) =>
        name.StartsWith(".init", StringComparison.Ordinal) ||
        (!config.ModuleUnload && name.StartsWith(".exit", StringComparison.Ordinal));

    /// <summary><c>module_get_offset</c>: align the running size to sh_addralign (0 means 1), then add sh_size.</summary>
    private static LoadedSection Place(LoaderSectionHeaders headers, int index, ModuleRegion region, ref ulong size, string pass)
    {
        var align = Math.Max(headers.AddrAlign[index], 1);
        var offset = AlignUp(size, align);
        size = offset + headers.Size[index];
        return new LoadedSection(index, headers.Sections[index].Name, region, offset, headers.Size[index], align, headers.Flags[index], pass)
        {
            NoBits = headers.NoBits[index],
        };
    }

    /// <summary><c>is_core_symbol</c>: defined, named, in an allocated core section (any, with KALLSYMS_ALL).</summary>
    private static bool IsCoreSymbol(ElfSymbol sym, ulong[] flags, LoadedSection?[] placed, KernelConfig config)
    {
        if (sym.SectionIndex == ElfConstants.ShnUndef || sym.SectionIndex >= (uint)flags.Length || sym.NameOffset == 0)
        {
            return false;
        }

        var f = flags[sym.SectionIndex];
        var inInit = placed[sym.SectionIndex]?.Region == ModuleRegion.Init;
        return (f & ElfConstants.ShfAlloc) != 0 && (config.KallsymsAll || (f & ElfConstants.ShfExecInstr) != 0) && !inInit;
    }

    private static ulong StrictAlign(ulong size, KernelConfig config) => config.StrictModuleRwx ? AlignUp(size, config.PageSize) : size;

    private static ulong AlignUp(ulong value, ulong align) => (value + align - 1) / align * align;
}
