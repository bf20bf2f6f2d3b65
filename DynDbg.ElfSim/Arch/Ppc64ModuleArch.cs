using DynDbg.ElfSim.Elf;
using DynDbg.ElfSim.Loading;

namespace DynDbg.ElfSim.Arch;

/// <summary>
/// 64-bit PowerPC's loader hooks, 6.1 arch/powerpc/kernel/module_64.c (ELFv2, as Debian's ppc64el builds it):
/// <list type="bullet">
/// <item><c>module_init_section</c> returns false ("we don't handle .init for the moment"), so every .init*
/// section is laid out in the core, and the init region holds only what <c>layout_symtab</c> puts there;</item>
/// <item><c>module_frob_arch_sections</c> finds <c>.stubs</c> (the NOBITS placeholder asm/module.h puts in every
/// module; refused with -ENOEXEC when absent), raises <c>.toc</c>'s alignment to 8, and sizes <c>.stubs</c> for
/// one 40-byte <c>ppc64_stub_entry</c> per distinct (symbol, addend) among the R_PPC64_REL24 relocations of each
/// SHT_RELA table, plus the terminating entry and the ftrace_caller (and ftrace_regs_caller) stubs.</item>
/// </list>
/// </summary>
public sealed class Ppc64ModuleArch : IModuleArch
{
    public const string StubsMissing = "LDR012";

    /// <summary>A .stubs section without SHF_ALLOC: layout_sections leaves it out, and 6.1's stub_for_addr would
    /// write the stubs through its unrelocated sh_addr (an oops, not an error code); refused here instead.</summary>
    public const string StubsNotAllocated = "LDR017";

    /// <summary>R_PPC64_REL24 (= R_PPC_REL24): the 24-bit branch that may need a stub.</summary>
    public const uint RRel24 = 10;

    /// <summary>sizeof(struct ppc64_stub_entry) on ELFv2: u32 jump[7], u32 magic, func_desc_t (one unsigned long).</summary>
    public const ulong StubEntrySize = (7 * 4) + 4 + 8;

    /// <summary>The same on ELFv1 (big-endian ppc64), where func_desc_t is the three-word function descriptor.</summary>
    public const ulong StubEntrySizeElfV1 = (7 * 4) + 4 + 24;

    /// <summary>e_flags & EF_PPC64_ABI: 2 is ELFv2; 0 and 1 are the older ABI.</summary>
    private const uint EfPpc64Abi = 3;

    public static Ppc64ModuleArch Instance { get; } = new();

    private Ppc64ModuleArch()
    {
    }

    public void FrobArchSections(ElfFile file, LoaderSectionHeaders headers, string moduleName, KernelConfig config, ModuleArchOptions options, List<string> notes)
    {
        var stubs = 0;
        for (var i = 1; i < headers.Count; i++)
        {
            var name = headers.Sections[i].Name;
            if (name == ".stubs")
            {
                stubs = i;
            }
            else if (name == ".toc" && headers.AddrAlign[i] < 8)
            {
                headers.AddrAlign[i] = 8;
            }
        }

        if (stubs == 0)
        {
            throw new LoaderRefusal(StubsMissing, file.Path, $"{moduleName}: doesn't contain .stubs.", "-ENOEXEC");
        }

        if ((headers.Flags[stubs] & ElfConstants.ShfAlloc) == 0)
        {
            // Found by AFL++ (issue 18): the relocator then had no placed .stubs to write (KeyNotFoundException).
            throw new LoaderRefusal(StubsNotAllocated, file.Path,
                $"{moduleName}: .stubs is not SHF_ALLOC, so it is not placed; 6.1 would write its stubs through the unrelocated sh_addr", "-ENOEXEC");
        }

        var entry = (file.Header.Flags & EfPpc64Abi) == 2 ? StubEntrySize : StubEntrySizeElfV1;
        headers.Size[stubs] = StubsSize(headers.Sections.Where(s => s.Type == ElfConstants.ShtRela).Select(s => file.GetRelocations(s).Entries.ToArray()), config, entry);
    }

    /// <summary>Nothing is init on ppc64: its <c>module_init_section</c> always says no (".exit*" too, even without unload).</summary>
    public bool IsInitLayoutSection(string name, KernelConfig config) =>
        !config.ModuleUnload && name.StartsWith(".exit", StringComparison.Ordinal);

    /// <summary>
    /// <c>get_stubs_size</c>: one terminating entry, the count of each table after its in-place <c>sort</c> by
    /// <c>relacmp</c> (r_info, then r_addend, descending: the comparator swaps its arguments), and the ftrace stubs.
    /// </summary>
    public static ulong StubsSize(IEnumerable<ElfRelocation[]> tables, KernelConfig config, ulong entrySize = StubEntrySize)
    {
        ulong relocs = 1;
        foreach (var table in tables)
        {
            // a stable sort gives the same order as the kernel's heapsort wherever the count could tell them apart:
            // equal (r_info, r_addend) entries are interchangeable
            relocs += CountRelocs(SortedLikeRelacmp(table));
        }

        if (config.DynamicFtrace)
        {
            relocs++; // the trampoline to ftrace_caller
            if (config.DynamicFtraceWithRegs)
            {
                relocs++; // and to ftrace_regs_caller
            }
        }

        return relocs * entrySize;
    }

    /// <summary>
    /// The order get_stubs_size's <c>sort</c> leaves a RELA table in: <c>relacmp</c> compares r_info, then the signed
    /// r_addend, with its arguments swapped (descending). A stable sort gives the kernel's heapsort result wherever it
    /// could matter: equal (r_info, r_addend) entries are interchangeable.
    /// </summary>
    public static ElfRelocation[] SortedLikeRelacmp(ElfRelocation[] table) =>
        table.OrderByDescending(r => ((ulong)r.SymbolIndex << 32) | r.Type).ThenByDescending(r => r.Addend).ToArray();

    public ModuleRelocator CreateRelocator(LoadedModule module) => new Ppc64Relocator(module);

    /// <summary>
    /// <c>count_relocs</c>, with its C types: the running symbol and addend are <c>unsigned int</c>, starting at 0,
    /// and the addend is compared after promotion to the 64-bit signed r_addend, so a negative addend (or one past
    /// 4 GiB) always counts as new.
    /// </summary>
    private static ulong CountRelocs(IEnumerable<ElfRelocation> sorted)
    {
        ulong count = 0;
        uint info = 0, addend = 0;
        foreach (var r in sorted)
        {
            if (r.Type == RRel24 && (info != r.SymbolIndex || addend != r.Addend))
            {
                count++;
                info = r.SymbolIndex;
                addend = unchecked((uint)r.Addend);
            }
        }

        return count;
    }
}
