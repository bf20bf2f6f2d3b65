using DynDbg.ElfSim.Elf;
using DynDbg.ElfSim.Loading;

namespace DynDbg.ElfSim.Arch;

/// <summary>
/// 32-bit ARM's loader hooks, 6.1 arch/arm/kernel/module-plts.c and module.c as Debian's armmp kernel is built
/// (CONFIG_ARM_MODULE_PLTS=y, CONFIG_DYNAMIC_FTRACE=y, CONFIG_ARM_L1_CACHE_SHIFT=6, CONFIG_ARM_UNWIND=y, no
/// THUMB2_KERNEL). <c>module_frob_arch_sections</c> turns module.lds.h's 1-byte .plt/.init.plt placeholders into
/// NOBITS text sections sized for the veneers <c>apply_relocate</c> may emit: whole <c>struct plt_entries</c>
/// blocks of PLT_ENT_COUNT (16) ldr/literal pairs, 8 bytes an entry. Each SHT_REL table of an executable section
/// is sorted in place by (type, symbol) with lib/sort.c's heapsort, emulated swap for swap, because the count of
/// a duplicate depends on which of two equal keys ends up first. <c>module_init_section</c> is arm's own:
/// the unwind tables of .init text (.ARM.extab.init*, .ARM.exidx.init*) go to the init region with it.
/// </summary>
public sealed class ArmModuleArch : IModuleArch
{
    public const uint RArmPc24 = 1;
    public const uint RArmThmCall = 10;
    public const uint RArmCall = 28;
    public const uint RArmJump24 = 29;
    public const uint RArmThmJump24 = 30;

    /// <summary>PLT_ENT_STRIDE = L1_CACHE_BYTES (CONFIG_ARM_L1_CACHE_SHIFT=6): the block alignment.</summary>
    public const ulong L1CacheBytes = 64;

    /// <summary>PLT_ENT_COUNT = PLT_ENT_STRIDE / sizeof(u32).</summary>
    public const ulong PltEntCount = L1CacheBytes / 4;

    /// <summary>sizeof(struct plt_entries): PLT_ENT_COUNT ldr instructions, then as many literals.</summary>
    public const ulong PltBlockSize = 2 * PltEntCount * 4;

    /// <summary>PLT_ENT_SIZE = sizeof(struct plt_entries) / PLT_ENT_COUNT.</summary>
    public const ulong PltEntSize = PltBlockSize / PltEntCount;

    /// <summary>ARRAY_SIZE(fixed_plts): FTRACE_ADDR and MCOUNT_ADDR under CONFIG_DYNAMIC_FTRACE, in both PLTs.</summary>
    public const ulong FixedPlts = 2;

    private const int RelSize = 8; // sizeof(Elf32_Rel)

    public static ArmModuleArch Instance { get; } = new();

    private ArmModuleArch()
    {
    }

    /// <summary>arch/arm/kernel/module.c <c>module_init_section</c>.</summary>
    public bool IsInitSection(string name) =>
        name.StartsWith(".init", StringComparison.Ordinal) ||
        name.StartsWith(".ARM.extab.init", StringComparison.Ordinal) ||
        name.StartsWith(".ARM.exidx.init", StringComparison.Ordinal);

    /// <summary>arch/arm/kernel/module.c <c>module_exit_section</c>.</summary>
    public bool IsExitSection(string name) =>
        name.StartsWith(".exit", StringComparison.Ordinal) ||
        name.StartsWith(".ARM.extab.exit", StringComparison.Ordinal) ||
        name.StartsWith(".ARM.exidx.exit", StringComparison.Ordinal);

    public void FrobArchSections(ElfFile file, LoaderSectionHeaders headers, string moduleName, KernelConfig config, ModuleArchOptions options, List<string> notes) =>
        SizePlts(file, headers, moduleName, config);

    public ModuleRelocator CreateRelocator(LoadedModule module) => new ArmRelocator(module);

    /// <summary><c>module_frob_arch_sections</c>; returns the PLT entries (core, init) it sized the sections for.</summary>
    public (ulong Core, ulong Init) SizePlts(ElfFile file, LoaderSectionHeaders headers, string moduleName, KernelConfig config)
    {
        // arch/arm has no ftrace trampoline section: a .text.ftrace_trampoline is laid out as it is
        var (corePlt, initPlt, _, symtab) = PltPlaceholders.Find(file, headers, moduleName);
        var syms = file.GetSymbolTable(headers.Sections[symtab]);
        uint Shndx(uint symbol) => syms[(int)symbol].SectionIndex; // XINDEX already resolved by our reader
        ulong corePlts = FixedPlts, initPlts = FixedPlts;
        for (var i = 1; i < headers.Count; i++)
        {
            var sec = headers.Sections[i];
            if (sec.Type != ElfConstants.ShtRel || sec.Info >= (uint)headers.Count)
            {
                continue;
            }

            var dst = (int)sec.Info;
            if ((headers.Flags[dst] & ElfConstants.ShfExecInstr) == 0)
            {
                continue; // ignore relocations that operate on non-exec sections
            }

            var rels = file.GetRelocations(sec).Entries.ToArray();
            var text = file.GetContents(headers.Sections[dst]);
            var n = SortAndCount(Shndx, rels, text, (uint)dst);
            if (IsInitLayoutSection(headers.Sections[dst].Name, config))
            {
                initPlts += n;
            }
            else
            {
                corePlts += n;
            }
        }

        Resize(headers, corePlt, corePlts);
        Resize(headers, initPlt, initPlts);
        return (corePlts, initPlts);
    }

    /// <summary>6.1 <c>module_init_layout_section</c> with arm's <c>module_init_section</c> and <c>module_exit_section</c>.</summary>
    public bool IsInitLayoutSection(string name, KernelConfig config) =>
        (!config.ModuleUnload && IsExitSection(name)) || IsInitSection(name);

    /// <summary>
    /// One REL table's turn: <c>sort(rels, numrels, sizeof(Elf32_Rel), cmp_rel, NULL)</c> in place, then
    /// <c>count_plts</c>. <paramref name="text"/> is the relocated section's contents, where the implicit addends are.
    /// </summary>
    public static ulong SortAndCount(Func<uint, uint> shndx, ElfRelocation[] rel, ReadOnlySpan<byte> text, uint dstIndex)
    {
        KernelSort(rel, CmpRel);
        return CountPlts(shndx, rel, text, dstIndex);
    }

    /// <summary>
    /// <c>count_plts</c>: one PLT per branch relocation whose symbol is not defined in the relocated section
    /// itself; a zero-addend one is not counted again when the slot before it (same type and symbol after the
    /// sort) also has a zero addend.
    /// </summary>
    public static ulong CountPlts(Func<uint, uint> shndx, ElfRelocation[] rel, ReadOnlySpan<byte> text, uint dstIndex)
    {
        ulong ret = 0;
        for (var i = 0; i < rel.Length; i++)
        {
            if (!IsBranch(rel[i].Type) || shndx(rel[i].SymbolIndex) == dstIndex)
            {
                continue;
            }

            if (!IsZeroAddendRelocation(text, rel[i]) || !DuplicateRel(text, rel, i))
            {
                ret++;
            }
        }

        return ret;
    }

    private static bool IsBranch(uint type) => type is RArmCall or RArmPc24 or RArmJump24 or RArmThmCall or RArmThmJump24;

    /// <summary>
    /// <c>is_zero_addend_relocation</c>: the raw encoded offset is the PC bias (-8 for ARM, -4 for Thumb-2). A place
    /// outside the section's contents (the kernel would read past it) is taken as a non-zero addend.
    /// </summary>
    public static bool IsZeroAddendRelocation(ReadOnlySpan<byte> text, in ElfRelocation rel)
    {
        if (rel.Offset > (ulong)text.Length || (ulong)text.Length - rel.Offset < 4)
        {
            return false;
        }

        var place = text.Slice((int)rel.Offset, 4);
        if (rel.Type is RArmThmCall or RArmThmJump24)
        {
            var upper = (ushort)(place[0] | (place[1] << 8));
            var lower = (ushort)(place[2] | (place[3] << 8));
            return (upper & 0x7ff) == 0x7ff && (lower & 0x2fff) == 0x2ffe;
        }

        var insn = (uint)(place[0] | (place[1] << 8) | (place[2] << 16) | (place[3] << 24));
        return (insn & 0xffffff) == 0xfffffe;
    }

    /// <summary><c>duplicate_rel</c>: the preceding slot has the same type and symbol and a zero addend.</summary>
    private static bool DuplicateRel(ReadOnlySpan<byte> text, ElfRelocation[] rel, int num) =>
        num > 0 && CmpRel(rel[num], rel[num - 1]) == 0 && IsZeroAddendRelocation(text, rel[num - 1]);

    /// <summary><c>cmp_rel</c>: by type, then symbol index (the addend is not part of the key).</summary>
    public static int CmpRel(ElfRelocation x, ElfRelocation y)
    {
        var c = x.Type.CompareTo(y.Type);
        return c != 0 ? c : x.SymbolIndex.CompareTo(y.SymbolIndex);
    }

    /// <summary>
    /// 6.1 lib/sort.c <c>sort_r</c>: the bottom-up heapsort (not stable), in element units: heapify by sifting
    /// down from num/2 - 1, then swap the root to the end and sift the new root down.
    /// </summary>
    public static void KernelSort<T>(T[] a, Comparison<T> cmp)
    {
        int n = a.Length, i = n / 2;
        if (i == 0)
        {
            return;
        }

        for (;;)
        {
            if (i > 0)
            {
                i--; // building the heap: sift down --a
            }
            else if (--n > 0)
            {
                (a[0], a[n]) = (a[n], a[0]); // extract the root to --n
            }
            else
            {
                break;
            }

            int b = i, c, d;
            for (; (d = (c = (2 * b) + 1) + 1) < n;)
            {
                b = cmp(a[c], a[d]) >= 0 ? c : d;
            }

            if (d == n)
            {
                b = c; // the last leaf has no sibling
            }

            while (b != i && cmp(a[i], a[b]) >= 0)
            {
                b = (b - 1) / 2;
            }

            c = b;
            while (b != i)
            {
                b = (b - 1) / 2;
                (a[b], a[c]) = (a[c], a[b]);
            }
        }
    }

    private static void Resize(LoaderSectionHeaders headers, int index, ulong plts)
    {
        headers.NoBits[index] = true;
        headers.Flags[index] = ElfConstants.ShfExecInstr | ElfConstants.ShfAlloc;
        headers.AddrAlign[index] = L1CacheBytes;
        headers.Size[index] = (plts * PltEntSize + PltBlockSize - 1) / PltBlockSize * PltBlockSize; // round_up
    }
}
