using DynDbg.ElfSim.Elf;
using DynDbg.ElfSim.Loading;

namespace DynDbg.ElfSim.Arch;

/// <summary>
/// s390's loader hook, 6.1 arch/s390/kernel/module.c: <c>module_frob_arch_sections</c> adds no section. It gives
/// every symbol at most one 8-byte GOT slot (R_390_GOT*, R_390_GOTPLT*) and one 22-byte PLT entry (R_390_PLT*,
/// R_390_PLTOFF*), counting over every SHT_RELA table of the file (allocated or not, init or core), and reserves
/// both in <c>core_layout.size</c>. It runs before <c>layout_sections</c>, which starts from that size, so the GOT
/// sits at core+0, the PLT right after it, and the first text section after both (aligned as it asks).
/// With CONFIG_EXPOLINE (and expolines not disabled at boot) a non-empty PLT gets one more entry, the shared
/// expoline thunk; Debian's s390x 6.1 is built without it.
/// </summary>
public sealed class S390ModuleArch : IModuleArch
{
    public const uint RGot12 = 6;
    public const uint RGot32 = 7;
    public const uint RPlt32 = 8;
    public const uint RGot16 = 15;
    public const uint RPlt16Dbl = 18;
    public const uint RPlt32Dbl = 20;
    public const uint RGot64 = 24;
    public const uint RPlt64 = 25;
    public const uint RGotEnt = 26;
    public const uint RGotPlt12 = 29;
    public const uint RGotPlt16 = 30;
    public const uint RGotPlt32 = 31;
    public const uint RGotPlt64 = 32;
    public const uint RGotPltEnt = 33;
    public const uint RPltOff16 = 34;
    public const uint RPltOff32 = 35;
    public const uint RPltOff64 = 36;
    public const uint RGot20 = 58;
    public const uint RGotPlt20 = 59;

    /// <summary>arch/s390/kernel/module.c (6.1): larl/lg/br-style stub plus the 8-byte target.</summary>
    public const ulong PltEntrySize = 22;

    /// <summary>sizeof(void *): one GOT slot.</summary>
    public const ulong GotEntrySize = 8;

    public static S390ModuleArch Instance { get; } = new();

    private S390ModuleArch()
    {
    }

    public void FrobArchSections(ElfFile file, LoaderSectionHeaders headers, string moduleName, KernelConfig config, ModuleArchOptions options, List<string> notes)
    {
        // the kernel's loop has no early exit (its break leaves the switch): the last SHT_SYMTAB wins
        var symtab = 0;
        for (var i = 0; i < headers.Count; i++)
        {
            if (headers.Sections[i].Type == ElfConstants.ShtSymtab)
            {
                symtab = i;
            }
        }

        if (symtab == 0)
        {
            throw new LoaderRefusal(Aarch64ModuleArch.SymtabMissing, file.Path, $"module {moduleName}: no symbol table", "-ENOEXEC");
        }

        var (got, plt) = Count(FrobOrder(file, headers.Sections));
        var reserved = Reserve(headers.CoreSize, got, plt, config.Expoline);
        headers.CoreSize = reserved.CoreSize;
        if (config.Expoline && plt > 0)
        {
            notes.Add("s390: CONFIG_EXPOLINE: the PLT's extra thunk entry is counted as if expolines were not disabled at boot (nospectre_v2, etokens)");
        }
    }

    /// <summary>
    /// <c>check_rela</c> over the relocations in file order: GOT and PLT bytes, each symbol index given a GOT slot
    /// and a PLT entry at most once however many relocations and tables name it.
    /// </summary>
    public static (ulong GotSize, ulong PltSize) Count(IEnumerable<ElfRelocation> relocations)
    {
        var a = Assign(relocations);
        return (a.GotSize, a.PltSize);
    }

    /// <summary>
    /// <c>check_rela</c>'s assignment, kept as the kernel keeps it in <c>me->arch.syminfo</c>: each symbol index's
    /// GOT slot (<c>got_offset</c>, from the GOT's start) and PLT entry (<c>plt_offset</c>, from the PLT's start),
    /// in the order the relocations first name them; <c>apply_rela</c> writes those slots.
    /// </summary>
    public static SymbolSlots Assign(IEnumerable<ElfRelocation> relocations)
    {
        var slots = new SymbolSlots();
        foreach (var r in relocations)
        {
            switch (r.Type)
            {
                case RGot12 or RGot16 or RGot20 or RGot32 or RGot64 or RGotEnt
                    or RGotPlt12 or RGotPlt16 or RGotPlt20 or RGotPlt32 or RGotPlt64 or RGotPltEnt:
                    if (slots.Got.TryAdd(r.SymbolIndex, slots.GotSize))
                    {
                        slots.GotSize += GotEntrySize;
                    }

                    break;
                case RPlt16Dbl or RPlt32Dbl or RPlt32 or RPlt64 or RPltOff16 or RPltOff32 or RPltOff64:
                    if (slots.Plt.TryAdd(r.SymbolIndex, slots.PltSize))
                    {
                        slots.PltSize += PltEntrySize;
                    }

                    break;
            }
        }

        return slots;
    }

    /// <summary>
    /// The relocations <c>module_frob_arch_sections</c> walks: every SHT_RELA table of the file, in section-header
    /// order, each in file order.
    /// </summary>
    public static IEnumerable<ElfRelocation> FrobOrder(ElfFile file, IEnumerable<ElfSection> sections) =>
        sections.Where(s => s.Type == ElfConstants.ShtRela).SelectMany(s => file.GetRelocations(s).Entries.ToArray());

    public ModuleRelocator CreateRelocator(LoadedModule module) => new S390Relocator(module);

    /// <summary>
    /// The end of <c>module_frob_arch_sections</c>: <c>core_layout.size</c> aligned to 4, the GOT there, the PLT
    /// after it (one entry more with expolines when it is not empty), and the size grown by both.
    /// </summary>
    public static (ulong GotOffset, ulong PltOffset, ulong PltSize, ulong CoreSize) Reserve(ulong coreSize, ulong gotSize, ulong pltSize, bool expoline)
    {
        coreSize = (coreSize + 3) & ~3UL;
        var gotOffset = coreSize;
        coreSize += gotSize;
        var pltOffset = coreSize;
        if (pltSize > 0)
        {
            if (expoline)
            {
                pltSize += PltEntrySize;
            }

            coreSize += pltSize;
        }

        return (gotOffset, pltOffset, pltSize, coreSize);
    }
}

/// <summary>
/// s390's <c>struct mod_arch_syminfo</c> offsets as <c>check_rela</c> assigns them: symbol index → GOT slot offset
/// and PLT entry offset (no entry: <c>-1UL</c> in the kernel), and the sizes so far.
/// </summary>
public sealed class SymbolSlots
{
    public Dictionary<uint, ulong> Got { get; } = [];
    public Dictionary<uint, ulong> Plt { get; } = [];
    public ulong GotSize { get; set; }
    public ulong PltSize { get; set; }
}
