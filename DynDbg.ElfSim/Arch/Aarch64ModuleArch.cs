using DynDbg.ElfSim.Elf;
using DynDbg.ElfSim.Loading;

namespace DynDbg.ElfSim.Arch;

/// <summary>
/// arm64's loader hook, 6.1 arch/arm64/kernel/module-plts.c (CONFIG_ARM64_MODULE_PLTS=y, CONFIG_RANDOMIZE_BASE=y as
/// Debian builds it): <c>module_frob_arch_sections</c> turns the 1-byte placeholders that module.lds.h leaves in
/// every .ko (.plt, .init.plt, .text.ftrace_trampoline) into NOBITS text sections sized for the veneers that
/// <c>apply_relocate_add</c> may emit later. Emulated statement for statement, including the in-place
/// partition and sort of each RELA table, so that the count is the kernel's, not an idealised one.
/// </summary>
public sealed class Aarch64ModuleArch : IModuleArch
{
    public const string PltMissing = "LDR010";
    public const string SymtabMissing = "LDR011";

    public const uint RAdrPrelPgHi21 = 275;
    public const uint RAdrPrelPgHi21Nc = 276;
    public const uint RJump26 = 282;
    public const uint RCall26 = 283;

    /// <summary>sizeof(struct plt_entry): adrp, add, br.</summary>
    public const ulong PltEntrySize = 12;

    /// <summary>arch/arm64/include/asm/cache.h: L1_CACHE_SHIFT 6.</summary>
    public const ulong L1CacheBytes = 64;

    /// <summary>arch/arm64/include/asm/ftrace.h (6.1): FTRACE_PLT_IDX and FTRACE_REGS_PLT_IDX, defined unconditionally.</summary>
    public const ulong NrFtracePlts = 2;

    private const ulong Sz4K = 4096;

    public static Aarch64ModuleArch Instance { get; } = new();

    private Aarch64ModuleArch()
    {
    }

    public void FrobArchSections(ElfFile file, LoaderSectionHeaders headers, string moduleName, KernelConfig config, ModuleArchOptions options, List<string> notes) =>
        SizePlts(file, headers, moduleName, config, options);

    public ModuleRelocator CreateRelocator(LoadedModule module) => new Aarch64Relocator(module);

    /// <summary><c>module_frob_arch_sections</c>; returns the PLT counts (core, init) it sized the sections for.</summary>
    public (ulong Core, ulong Init) SizePlts(ElfFile file, LoaderSectionHeaders headers, string moduleName, KernelConfig config, ModuleArchOptions options)
    {
        var (corePlt, initPlt, tramp, symtab) = PltPlaceholders.Find(file, headers, moduleName);
        var syms = file.GetSymbolTable(headers.Sections[symtab]);
        uint Shndx(uint symbol) => syms[(int)symbol].SectionIndex; // XINDEX already resolved by our reader
        ulong corePlts = 0, initPlts = 0;
        for (var i = 0; i < headers.Count; i++)
        {
            var sec = headers.Sections[i];
            if (sec.Type != ElfConstants.ShtRela || sec.Info >= (uint)headers.Count)
            {
                continue;
            }

            var dst = (int)sec.Info;
            if ((headers.Flags[dst] & ElfConstants.ShfExecInstr) == 0)
            {
                continue; // ignore relocations that operate on non-exec sections
            }

            var rels = file.GetRelocations(sec).Entries.ToArray();
            var n = SortAndCount(Shndx, rels, (uint)dst, headers.AddrAlign, options);
            if (ModuleLoader.IsInitLayoutSection(headers.Sections[dst].Name, config))
            {
                initPlts += n;
            }
            else
            {
                corePlts += n;
            }
        }

        Resize(headers, corePlt, (corePlts + 1) * PltEntrySize, L1CacheBytes);
        Resize(headers, initPlt, (initPlts + 1) * PltEntrySize, L1CacheBytes);
        if (tramp != 0)
        {
            Resize(headers, tramp, NrFtracePlts * PltEntrySize, 4); // __alignof__(struct plt_entry)
        }

        return (corePlts, initPlts);
    }

    /// <summary>
    /// One RELA table's turn in <c>module_frob_arch_sections</c>' loop: <c>partition_branch_plt_relas</c>, the
    /// <c>sort</c> of the entries it grouped (<paramref name="rela"/> is reordered in place, as the kernel does), then
    /// <c>count_plts</c> over the whole table.
    /// </summary>
    public static ulong SortAndCount(Func<uint, uint> shndx, ElfRelocation[] rela, uint dstIndex, ulong[] addrAlign, ModuleArchOptions options)
    {
        Sort(shndx, rela, dstIndex);
        return CountPlts(shndx, rela, dstIndex, addrAlign, options);
    }

    /// <summary>
    /// The order module_frob_arch_sections leaves a table in, which <c>apply_relocate_add</c> then walks:
    /// <c>partition_branch_plt_relas</c>, then the <c>sort</c> of the group it made (in place).
    /// </summary>
    public static void Sort(Func<uint, uint> shndx, ElfRelocation[] rela, uint dstIndex)
    {
        var nents = PartitionBranchPltRelas(shndx, rela, dstIndex);
        if (nents > 0)
        {
            Array.Sort(rela, 0, nents, RelaOrder.Instance);
        }
    }

    /// <summary>
    /// <c>count_plts</c>: one PLT per CALL26/JUMP26 whose symbol is not defined in the relocated section itself,
    /// duplicates (same type, symbol and a zero addend, adjacent after the sort) counted once. With the 843419
    /// workaround, ADRP relocations raise the section's alignment or need a veneer each, plus slack.
    /// </summary>
    /// <param name="shndx">st_shndx of a symbol index.</param>
    /// <param name="addrAlign">sh_addralign of every section; the relocated section's may be raised.</param>
    public static ulong CountPlts(Func<uint, uint> shndx, ElfRelocation[] rela, uint dstIndex, ulong[] addrAlign, ModuleArchOptions options)
    {
        ulong ret = 0;
        for (var i = 0; i < rela.Length; i++)
        {
            switch (rela[i].Type)
            {
                case RJump26 or RCall26:
                    if (shndx(rela[i].SymbolIndex) == dstIndex)
                    {
                        break;
                    }

                    if (rela[i].Addend != 0 || !DuplicateRel(rela, i))
                    {
                        ret++;
                    }

                    break;
                case RAdrPrelPgHi21 or RAdrPrelPgHi21Nc:
                    if (!options.Erratum843419)
                    {
                        break;
                    }

                    var minAlign = 2UL << Ffz(rela[i].Offset | 0x7);
                    if (minAlign > Sz4K)
                    {
                        ret++;
                    }
                    else
                    {
                        addrAlign[dstIndex] = Math.Max(addrAlign[dstIndex], minAlign);
                    }

                    break;
            }
        }

        if (options.Erratum843419)
        {
            ret += (ret + (Sz4K / PltEntrySize) - 1) / (Sz4K / PltEntrySize); // DIV_ROUND_UP slack
        }

        return ret;
    }

    /// <summary><c>duplicate_rel</c>: the preceding slot has the same type, symbol and addend.</summary>
    private static bool DuplicateRel(ElfRelocation[] rela, int num) => num > 0 && RelaOrder.Instance.Compare(rela[num], rela[num - 1]) == 0;

    /// <summary><c>branch_rela_needs_plt</c></summary>
    private static bool BranchRelaNeedsPlt(Func<uint, uint> shndx, in ElfRelocation rela, uint dstIndex) =>
        shndx(rela.SymbolIndex) != dstIndex && rela.Type is RJump26 or RCall26;

    /// <summary>
    /// <c>partition_branch_plt_relas</c>: groups the branch relocations that need a PLT at the front, in place, and
    /// returns how many the kernel then sorts. Its loop stops at i == j without looking at that slot, so the
    /// count can be one short of the group (that entry is then compared with the sorted run's last one).
    /// </summary>
    public static int PartitionBranchPltRelas(Func<uint, uint> shndx, ElfRelocation[] rela, uint dstIndex)
    {
        int i = 0, j = rela.Length - 1;
        while (i < j)
        {
            if (BranchRelaNeedsPlt(shndx, rela[i], dstIndex))
            {
                i++;
            }
            else if (BranchRelaNeedsPlt(shndx, rela[j], dstIndex))
            {
                (rela[i], rela[j]) = (rela[j], rela[i]);
            }
            else
            {
                j--;
            }
        }

        return i;
    }

    private static void Resize(LoaderSectionHeaders headers, int index, ulong size, ulong align)
    {
        headers.NoBits[index] = true;
        headers.Flags[index] = ElfConstants.ShfExecInstr | ElfConstants.ShfAlloc;
        headers.AddrAlign[index] = align;
        headers.Size[index] = size;
    }

    /// <summary>ffz: the index of the lowest clear bit.</summary>
    private static int Ffz(ulong x) => System.Numerics.BitOperations.TrailingZeroCount(~x);

    /// <summary><c>cmp_rela</c>: by type, symbol index, then (signed) addend.</summary>
    private sealed class RelaOrder : IComparer<ElfRelocation>
    {
        public static RelaOrder Instance { get; } = new();

        public int Compare(ElfRelocation x, ElfRelocation y)
        {
            var c = x.Type.CompareTo(y.Type);
            if (c == 0)
            {
                c = x.SymbolIndex.CompareTo(y.SymbolIndex);
            }

            return c == 0 ? x.Addend.CompareTo(y.Addend) : c;
        }
    }
}
