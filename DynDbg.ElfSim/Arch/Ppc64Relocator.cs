using DynDbg.ElfSim.Elf;
using DynDbg.ElfSim.Loading;

namespace DynDbg.ElfSim.Arch;

/// <summary>
/// 64-bit PowerPC's <c>apply_relocate_add</c> (6.1 arch/powerpc/kernel/module_64.c, ELFv2 with
/// CONFIG_MPROFILE_KERNEL as Debian's ppc64el builds it): the TOC pointer r2 (<c>my_r2</c>: .toc, or .stubs
/// without one, rounded down to 256 plus 0x8000), REL24 calls to undefined symbols through 40-byte stubs in
/// .stubs with the following nop turned into the r2 reload, local entry points for calls inside the module,
/// the ELFv2 large-model entry rewrite, the ftrace stubs <c>module_finalize_ftrace</c> adds, and every check
/// and refusal of the kernel.
/// </summary>
public sealed class Ppc64Relocator : ModuleRelocator
{
    private const uint Nop = 0x60000000;
    private const uint LdR2FromStack = 0xe8410018; // PPC_INST_LD_TOC: ld r2,24(r1)
    private const uint StubMagic = 0x73747562; // "stub"

    /// <summary>ppc64_stub_insns (ELFv2): addis r11,r2,0; addi r11,r11,0; std r2,24(r1); ld r12,32(r11); mtctr r12; bctr.</summary>
    private static readonly uint[] StubInsns = [0x3d620000, 0x396b0000, 0xf8410018, 0xe98b0020, 0x7d8903a6, 0x4e800420];

    /// <summary>
    /// The mprofile-kernel ftrace stub: ld r12,kernel_toc(r13) (the paca's kernel_toc is at offset 16 with
    /// lppaca_ptr, paca_index and lock_token before it); addis r12,r12,0; addi r12,r12,0; mtctr r12; bctr.
    /// </summary>
    private static readonly uint[] FtraceStubInsns = [0xe98d0010, 0x3d8c0000, 0x398c0000, 0x7d8903a6, 0x4e800420];

    private readonly int _stubs;
    private readonly int _toc;
    private readonly int _stubCount;

    public Ppc64Relocator(LoadedModule module) : base(module)
    {
        var stubs = module.Layout.Find(".stubs");
        _stubs = stubs?.Index ?? 0;
        _toc = module.Layout.Find(".toc")?.Index ?? _stubs;
        _stubCount = (int)((stubs?.Size ?? 0) / Ppc64ModuleArch.StubEntrySize);
    }

    /// <summary><c>my_r2</c>: r2 points 0x8000 into the TOC.</summary>
    private ulong MyR2 => (Module.Addresses[_toc] & ~0xffUL) + 0x8000;

    /// <summary>get_stubs_size sorted every RELA table in place (<c>relacmp</c>: r_info, then r_addend, descending).</summary>
    public override ReadOnlySpan<ElfRelocation> Order(ElfSection relocationSection, ElfRelocationTable table) =>
        relocationSection.Type != ElfConstants.ShtRela ? table.Entries : Ppc64ModuleArch.SortedLikeRelacmp(table.Entries.ToArray());

    /// <summary>dedotify made ".TOC." SHN_ABS; the first apply_relocate_add call sets it to my_r2.</summary>
    public override void FixSymbols(ulong[] values, bool[] unresolved)
    {
        if (Module.File.SymbolTable is not { } symtab)
        {
            return; // a non-strict load of an object without symbols
        }

        for (var i = 1; i < symtab.Count; i++)
        {
            if (symtab[i].IsUndefined && symtab.GetName(i) == ".TOC.")
            {
                values[i] = _stubs == 0 ? 0 : MyR2;
                unresolved[i] = false;
            }
        }
    }

    public override void Apply(in RelocationSite site, Span<byte> place)
    {
        var r = site.Relocation;
        var value = site.Value;
        var location = site.Loc;
        switch (r.Type)
        {
            case 1: // ADDR32
                CheckRoom(place, 4, r);
                Endian.Put32(place, (uint)value);
                break;
            case 38: // ADDR64
                CheckRoom(place, 8, r);
                Endian.Put64(place, value);
                break;
            case 51: // TOC
                CheckRoom(place, 8, r);
                Endian.Put64(place, MyR2);
                break;
            case 47: // TOC16
                value = unchecked(value - MyR2);
                if (unchecked(value + 0x8000) > 0xffff)
                {
                    throw Refuse(Overflow, $"{Name}: bad TOC16 relocation (0x{value:x})");
                }

                Half(place, r, value, 0xffff);
                break;
            case 48: // TOC16_LO
                Half(place, r, unchecked(value - MyR2), 0xffff);
                break;
            case 63: // TOC16_DS
                value = unchecked(value - MyR2);
                if ((value & 3) != 0 || unchecked(value + 0x8000) > 0xffff)
                {
                    throw Refuse(Overflow, $"{Name}: bad TOC16_DS relocation (0x{value:x})");
                }

                Half(place, r, value, 0xfffc);
                break;
            case 64: // TOC16_LO_DS
                value = unchecked(value - MyR2);
                if ((value & 3) != 0)
                {
                    throw Refuse(Overflow, $"{Name}: bad TOC16_LO_DS relocation (0x{value:x})");
                }

                Half(place, r, value, 0xfffc);
                break;
            case 50: // TOC16_HA
                Half(place, r, unchecked(value - MyR2 + 0x8000) >> 16, 0xffff);
                break;
            case Ppc64ModuleArch.RRel24:
                CheckRoom(place, 4, r);
                var name = SymbolName(site);
                if (site.Symbol.IsUndefined || (!site.Symbol.Extended && site.Symbol.SectionIndex == ElfConstants.ShnLivepatch))
                {
                    // external: go via stub
                    value = StubForAddr(value, name);
                    if (value == 0)
                    {
                        throw Refuse(Overflow, $"{Name}: no stub for {name}", "-ENOENT");
                    }

                    RestoreR2(name, place, site.Loc);
                }
                else
                {
                    value += LocalEntryOffset(site.Symbol.Other);
                }

                value = unchecked(value - location);
                if (unchecked(value + 0x2000000) > 0x3ffffff || (value & 3) != 0)
                {
                    throw Refuse(Overflow, $"{Name}: REL24 {(long)value} out of range!");
                }

                Endian.Put32(place, (Endian.U32(place) & ~0x03fffffcu) | ((uint)value & 0x03fffffc));
                break;
            case 44: // REL64
                CheckRoom(place, 8, r);
                Endian.Put64(place, unchecked(value - location));
                break;
            case 26: // REL32
                value = unchecked(value - location);
                if (unchecked(value + 0x80000000) > 0xffffffff)
                {
                    throw Refuse(Overflow, $"{Name}: REL32 {(long)value} out of range!");
                }

                CheckRoom(place, 4, r);
                Endian.Put32(place, (uint)value);
                break;
            case 109: // TOCSAVE: a marker, ignored
                return;
            case 118: // ENTRY: the large-model prologue, shortened when the TOC is within 2 GiB
                value = unchecked(MyR2 - location);
                CheckRoom(place, 8, r);
                if (unchecked(value + 0x80008000) > 0xffffffff || (Endian.U32(place) & ~0xfffcu) != 0xe84c0000 ||
                    Endian.U32(place[4..]) != 0x7c426214)
                {
                    break; // not ld r2,...(r12); add r2,r2,r12
                }

                Endian.Put32(place, 0x3c4c0000 | Ha(value)); // addis r2,r12,(.TOC.-func)@ha
                Endian.Put32(place[4..], 0x38420000 | Lo(value)); // addi r2,r2,(.TOC.-func)@l
                break;
            case 252: // REL16_HA
                Half(place, r, unchecked(value - location + 0x8000) >> 16, 0xffff);
                break;
            case 250: // REL16_LO
                Half(place, r, unchecked(value - location), 0xffff);
                break;
            default:
                throw Refuse(UnknownRelocation, $"{Name}: Unknown ADD relocation: {r.Type}");
        }

        Module.CountApplied();
    }

    /// <summary><c>module_finalize_ftrace</c>: the stubs to ftrace_caller and ftrace_regs_caller, after every relocation.</summary>
    public override void FinishModule()
    {
        var config = Module.Layout.Config;
        if (_stubs == 0 || config is null || !config.DynamicFtrace)
        {
            return;
        }

        foreach (var name in config.DynamicFtraceWithRegs ? new[] { "ftrace_caller", "ftrace_regs_caller" } : ["ftrace_caller"])
        {
            if (Module.KernelSymbol(name) is not { } addr)
            {
                Module.Notes.Add($"no kernel symbol table given: the .stubs entry for {name} (module_finalize_ftrace) left out");
                return;
            }

            if (StubForAddr(addr, name) == 0)
            {
                throw Refuse(Overflow, $"{Name}: no stub for {name}", "-ENOENT");
            }
        }
    }

    /// <summary><c>stub_for_addr</c>: the stub whose funcdata is this address, or a new one in the first free slot.</summary>
    private ulong StubForAddr(ulong addr, string name)
    {
        if (_stubs == 0)
        {
            // No placed .stubs (a non-strict load of an object, where frob's own refusal does not run): nowhere to
            // put the stub. AFL++ (issue 18, diet target) found the KeyNotFoundException this was.
            throw Refuse(Ppc64ModuleArch.StubsMissing, $"{Name}: no placed .stubs section for the stub of {name}", "-ENOEXEC");
        }

        var stubs = Module.Writable(_stubs);
        var size = (int)Ppc64ModuleArch.StubEntrySize;
        int i;
        for (i = 0; i < _stubCount && Endian.U64(stubs[((i * size) + 32)..]) != 0; i++)
        {
            if (Endian.U64(stubs[((i * size) + 32)..]) == addr)
            {
                return Module.Addresses[_stubs] + (ulong)(i * size);
            }
        }

        if (i >= _stubCount)
        {
            throw Refuse(Overflow, $"{Name}: WARN_ON(i >= num_stubs) in stub_for_addr for {name}", "-ENOENT");
        }

        var entry = stubs.Slice(i * size, size);
        var at = Module.Addresses[_stubs] + (ulong)(i * size);
        if (IsMprofileFtraceCall(name))
        {
            // create_ftrace_stub: relative to the kernel's TOC (r2 of the kernel: its .TOC.)
            var kernelToc = Module.KernelSymbol(".TOC.") ?? (Module.KernelSymbol("__toc_start") is { } t ? t + 0x8000 : null);
            if (kernelToc is not { } toc)
            {
                Module.Notes.Add($"no kernel symbol table given: the .stubs entry for {name} (kernel TOC relative) left zero");
                return 0;
            }

            var rel = (long)(addr - toc);
            if (rel > 0x7fffffff || rel < -0x80000000L)
            {
                throw Refuse(Overflow, $"{Name}: Address of {name} out of range of kernel_toc.", "-ENOENT");
            }

            for (var k = 0; k < FtraceStubInsns.Length; k++)
            {
                Endian.Put32(entry[(k * 4)..], FtraceStubInsns[k]);
            }

            Endian.Put32(entry[4..], FtraceStubInsns[1] | Ha((ulong)rel));
            Endian.Put32(entry[8..], FtraceStubInsns[2] | Lo((ulong)rel));
        }
        else
        {
            for (var k = 0; k < StubInsns.Length; k++)
            {
                Endian.Put32(entry[(k * 4)..], StubInsns[k]);
            }

            var reladdr = (long)(at - MyR2);
            if (reladdr > 0x7fffffff || reladdr < -0x80000000L)
            {
                throw Refuse(Overflow, $"{Name}: Address {reladdr:x} of stub out of range of {MyR2:x}.", "-ENOENT");
            }

            Endian.Put32(entry, StubInsns[0] | Ha((ulong)reladdr));
            Endian.Put32(entry[4..], StubInsns[1] | Lo((ulong)reladdr));
        }

        Endian.Put64(entry[32..], addr); // func_desc(addr): ELFv2's is the address alone
        Endian.Put32(entry[28..], StubMagic);
        return at;
    }

    /// <summary><c>restore_r2</c>: after a linking branch (not a sibling call), the nop becomes ld r2,24(r1).</summary>
    private void RestoreR2(string name, Span<byte> place, ulong loc)
    {
        if (IsMprofileFtraceCall(name) || !IsRelativeLinkBranch(Endian.U32(place)))
        {
            return;
        }

        if (place.Length < 8 || Endian.U32(place[4..]) != Nop)
        {
            var got = place.Length < 8 ? 0 : Endian.U32(place[4..]);
            throw Refuse(Overflow, $"{Name}: Expected nop after call, got {got:x8} at 0x{loc + 4:x}");
        }

        Endian.Put32(place[4..], LdR2FromStack);
    }

    /// <summary><c>instr_is_relative_link_branch</c>: b/bc (opcode 18 or 16), not absolute, with LK.</summary>
    private static bool IsRelativeLinkBranch(uint insn) =>
        (insn & 2) == 0 && (insn >> 26 is 18 or 16) && (insn & 1) != 0;

    private static bool IsMprofileFtraceCall(string name) => name is "_mcount" or "ftrace_caller" or "ftrace_regs_caller";

    /// <summary>PPC64_LOCAL_ENTRY_OFFSET(st_other): the local entry point's distance from the global one.</summary>
    private static ulong LocalEntryOffset(byte other) => (ulong)(((1 << ((other & 0xe0) >> 5)) >> 2) << 2);

    private static uint Ha(ulong v) => (uint)(((v >> 16) + ((v & 0x8000) != 0 ? 1UL : 0)) & 0xffff);

    private static uint Lo(ulong v) => (uint)(v & 0xffff);

    /// <summary>A 16-bit field: the bits of <paramref name="mask"/> from the value, the others kept.</summary>
    private void Half(Span<byte> place, in ElfRelocation r, ulong value, ushort mask)
    {
        CheckRoom(place, 2, r);
        Endian.Put16(place, (ushort)((Endian.U16(place) & ~mask) | ((ushort)value & mask)));
    }
}
