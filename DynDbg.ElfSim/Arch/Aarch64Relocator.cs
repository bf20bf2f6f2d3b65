using DynDbg.ElfSim.Elf;
using DynDbg.ElfSim.Loading;

namespace DynDbg.ElfSim.Arch;

/// <summary>
/// arm64's <c>apply_relocate_add</c> (6.1 arch/arm64/kernel/module.c) with the PLTs and ADRP veneers of
/// module-plts.c and the ftrace PLTs <c>module_finalize</c> writes: every type the kernel knows, its overflow
/// rules (some types are not checked), the -ERANGE that sends CALL26/JUMP26 through a PLT, and its refusals.
/// </summary>
public sealed class Aarch64Relocator : ModuleRelocator
{
    private const uint BreakFault = 0xd4207d00; // AARCH64_BREAK_FAULT: aarch64_insn_encode_immediate leaves it alone

    private readonly ModuleArchOptions _options;
    private readonly PltSection _core;
    private readonly PltSection _init;
    private readonly int _trampoline;

    public Aarch64Relocator(LoadedModule module) : base(module)
    {
        _options = module.Layout.ArchOptions ?? ModuleArchOptions.Default;
        _core = PltSection.Of(module, ".plt");
        _init = PltSection.Of(module, ".init.plt");
        _trampoline = module.Layout.Find(".text.ftrace_trampoline")?.Index ?? 0;
    }

    private enum Op
    {
        Abs,
        Prel,
        Page,
    }

    /// <summary>
    /// <c>module_frob_arch_sections</c> reordered every table that relocates an executable section in place
    /// (<see cref="Aarch64ModuleArch.PartitionBranchPltRelas"/>, then the sort); the relocations are applied in
    /// that order, which decides the PLT slots.
    /// </summary>
    public override ReadOnlySpan<ElfRelocation> Order(ElfSection relocationSection, ElfRelocationTable table)
    {
        var target = Module.File.Sections[(int)relocationSection.Info];
        if (relocationSection.Type != ElfConstants.ShtRela || (target.Flags & ElfConstants.ShfExecInstr) == 0)
        {
            return table.Entries;
        }

        var rela = table.Entries.ToArray();
        var syms = Module.File.SymbolTable!;
        Aarch64ModuleArch.Sort(s => syms[(int)s].SectionIndex, rela, relocationSection.Info);
        return rela;
    }

    public override void Apply(in RelocationSite site, Span<byte> place)
    {
        var r = site.Relocation;
        var val = site.Value;
        var loc = site.Loc;
        var overflowCheck = true;
        bool ovf;
        switch (r.Type)
        {
            case 0 or 256: // R_ARM_NONE, R_AARCH64_NONE
                return;
            case 257: overflowCheck = false; ovf = Data(Op.Abs, place, loc, val, 64, r); break; // ABS64
            case 258: ovf = Data(Op.Abs, place, loc, val, 32, r); break; // ABS32
            case 259: ovf = Data(Op.Abs, place, loc, val, 16, r); break; // ABS16
            case 260: overflowCheck = false; ovf = Data(Op.Prel, place, loc, val, 64, r); break; // PREL64
            case 261: ovf = Data(Op.Prel, place, loc, val, 32, r); break; // PREL32
            case 262: ovf = Data(Op.Prel, place, loc, val, 16, r); break; // PREL16
            case 264: overflowCheck = false; goto case 263; // MOVW_UABS_G0_NC
            case 263: ovf = Movw(Op.Abs, place, loc, val, 0, signed: false, r); break;
            case 266: overflowCheck = false; goto case 265; // MOVW_UABS_G1_NC
            case 265: ovf = Movw(Op.Abs, place, loc, val, 16, signed: false, r); break;
            case 268: overflowCheck = false; goto case 267; // MOVW_UABS_G2_NC
            case 267: ovf = Movw(Op.Abs, place, loc, val, 32, signed: false, r); break;
            case 269: overflowCheck = false; ovf = Movw(Op.Abs, place, loc, val, 48, signed: false, r); break; // MOVW_UABS_G3
            case 270: ovf = Movw(Op.Abs, place, loc, val, 0, signed: true, r); break; // MOVW_SABS_G0
            case 271: ovf = Movw(Op.Abs, place, loc, val, 16, signed: true, r); break; // MOVW_SABS_G1
            case 272: ovf = Movw(Op.Abs, place, loc, val, 32, signed: true, r); break; // MOVW_SABS_G2
            case 288: overflowCheck = false; ovf = Movw(Op.Prel, place, loc, val, 0, signed: false, r); break; // MOVW_PREL_G0_NC
            case 287: ovf = Movw(Op.Prel, place, loc, val, 0, signed: true, r); break; // MOVW_PREL_G0
            case 290: overflowCheck = false; ovf = Movw(Op.Prel, place, loc, val, 16, signed: false, r); break; // MOVW_PREL_G1_NC
            case 289: ovf = Movw(Op.Prel, place, loc, val, 16, signed: true, r); break; // MOVW_PREL_G1
            case 292: overflowCheck = false; ovf = Movw(Op.Prel, place, loc, val, 32, signed: false, r); break; // MOVW_PREL_G2_NC
            case 291: ovf = Movw(Op.Prel, place, loc, val, 32, signed: true, r); break; // MOVW_PREL_G2
            case 293: overflowCheck = false; ovf = Movw(Op.Prel, place, loc, val, 48, signed: true, r); break; // MOVW_PREL_G3
            case 273: ovf = Imm(Op.Prel, place, loc, val, 2, 19, ImmField.Imm19, r); break; // LD_PREL_LO19
            case 274: ovf = Imm(Op.Prel, place, loc, val, 0, 21, ImmField.Adr, r); break; // ADR_PREL_LO21
            case Aarch64ModuleArch.RAdrPrelPgHi21Nc: overflowCheck = false; goto case Aarch64ModuleArch.RAdrPrelPgHi21;
            case Aarch64ModuleArch.RAdrPrelPgHi21: ovf = Adrp(place, loc, val, r); break;
            case 277 or 278: overflowCheck = false; ovf = Imm(Op.Abs, place, loc, val, 0, 12, ImmField.Imm12, r); break; // ADD_ABS_LO12_NC, LDST8
            case 284: overflowCheck = false; ovf = Imm(Op.Abs, place, loc, val, 1, 11, ImmField.Imm12, r); break; // LDST16
            case 285: overflowCheck = false; ovf = Imm(Op.Abs, place, loc, val, 2, 10, ImmField.Imm12, r); break; // LDST32
            case 286: overflowCheck = false; ovf = Imm(Op.Abs, place, loc, val, 3, 9, ImmField.Imm12, r); break; // LDST64
            case 299: overflowCheck = false; ovf = Imm(Op.Abs, place, loc, val, 4, 8, ImmField.Imm12, r); break; // LDST128
            case 279: ovf = Imm(Op.Prel, place, loc, val, 2, 14, ImmField.Imm14, r); break; // TSTBR14
            case 280: ovf = Imm(Op.Prel, place, loc, val, 2, 19, ImmField.Imm19, r); break; // CONDBR19
            case Aarch64ModuleArch.RJump26 or Aarch64ModuleArch.RCall26:
                ovf = Imm(Op.Prel, place, loc, val, 2, 26, ImmField.Imm26, r);
                if (ovf)
                {
                    // CONFIG_ARM64_MODULE_PLTS: out of range, so through a PLT entry
                    val = EmitPlt(loc, val);
                    ovf = Imm(Op.Prel, place, loc, val, 2, 26, ImmField.Imm26, r);
                }

                break;
            default:
                throw Refuse(UnknownRelocation, $"module {Name}: unsupported RELA relocation: {r.Type}");
        }

        if (overflowCheck && ovf)
        {
            throw Refuse(Overflow, $"module {Name}: overflow in relocation type {(int)r.Type} val {val:x}");
        }

        Module.CountApplied();
    }

    /// <summary><c>module_finalize</c> → <c>module_init_ftrace_plt</c>: the ftrace_caller (and ftrace_regs_caller) PLTs.</summary>
    public override void FinishModule()
    {
        var config = Module.Layout.Config;
        if (_trampoline == 0 || config is null || !config.DynamicFtrace)
        {
            return;
        }

        var tramp = Module.Writable(_trampoline);
        var at = Module.Addresses[_trampoline];
        var names = config.DynamicFtraceWithRegs ? new[] { "ftrace_caller", "ftrace_regs_caller" } : ["ftrace_caller"];
        for (var i = 0; i < names.Length; i++)
        {
            if (Module.KernelSymbol(names[i]) is not { } target)
            {
                Module.Notes.Add($"no kernel symbol table given: .text.ftrace_trampoline's {names[i]} PLT left zero");
                return;
            }

            WritePlt(tramp[(i * 12)..], PltEntry(target, at + (ulong)(i * 12), 16, Br16));
        }
    }

    // ---- reloc_data, reloc_insn_movw, reloc_insn_imm, reloc_insn_adrp ----------------------------------------

    private static ulong DoReloc(Op op, ulong loc, ulong val) => op switch
    {
        Op.Abs => val,
        Op.Prel => unchecked(val - loc),
        _ => unchecked((val & ~0xfffUL) - (loc & ~0xfffUL)),
    };

    /// <summary><c>reloc_data</c>: true for -ERANGE. PREL is checked as signed, ABS as unsigned.</summary>
    private bool Data(Op op, Span<byte> place, ulong loc, ulong val, int len, in ElfRelocation r)
    {
        var sval = (long)DoReloc(op, loc, val);
        CheckRoom(place, len / 8, r);
        Endian.PutWord(place, (ulong)sval, len / 8);
        return len switch
        {
            16 => op == Op.Abs ? sval < 0 || sval > ushort.MaxValue : sval < short.MinValue || sval > short.MaxValue,
            32 => op == Op.Abs ? sval < 0 || sval > uint.MaxValue : sval < int.MinValue || sval > int.MaxValue,
            _ => false,
        };
    }

    private bool Movw(Op op, Span<byte> place, ulong loc, ulong val, int lsb, bool signed, in ElfRelocation r)
    {
        CheckRoom(place, 4, r);
        var insn = Endian.U32(place);
        var sval = (long)DoReloc(op, loc, val);
        var imm = (ulong)(sval >> lsb);
        if (signed)
        {
            insn &= ~(3u << 29);
            if (sval >= 0)
            {
                insn |= 2u << 29; // MOVZ
            }
            else
            {
                imm = ~imm; // MOVN: the opcode is already 00b
            }
        }

        Endian.Put32(place, Encode(ImmField.Imm16, insn, imm));
        return imm > ushort.MaxValue;
    }

    private bool Imm(Op op, Span<byte> place, ulong loc, ulong val, int lsb, int len, ImmField field, in ElfRelocation r)
    {
        CheckRoom(place, 4, r);
        var insn = Endian.U32(place);
        var sval = (long)DoReloc(op, loc, val) >> lsb;
        var immMask = ((1UL << (lsb + len)) - 1) >> lsb;
        var imm = (ulong)sval & immMask;
        Endian.Put32(place, Encode(field, insn, imm));

        // the upper bits, sign bit included, must all equal the sign bit
        sval = (long)((ulong)sval & ~(immMask >> 1)) >> (len - 1);
        return unchecked((ulong)(sval + 1)) >= 2;
    }

    private bool Adrp(Span<byte> place, ulong loc, ulong val, in ElfRelocation r)
    {
        if (!ForbiddenForAdrp(loc))
        {
            return Imm(Op.Page, place, loc, val, 12, 21, ImmField.Adr, r);
        }

        // erratum 843419: patch ADRP to ADR if it is in range, else branch to a veneer
        uint insn;
        if (!Imm(Op.Prel, place, loc, val & ~0xfffUL, 0, 21, ImmField.Adr, r))
        {
            insn = Endian.U32(place) & ~(1u << 31);
        }
        else
        {
            var veneer = EmitVeneerForAdrp(loc, val & ~0xfffUL, Endian.U32(place));
            insn = BranchImm(loc, veneer);
        }

        Endian.Put32(place, insn);
        return false;
    }

    private bool ForbiddenForAdrp(ulong address) => _options.Erratum843419 && (address & 0xfff) >= 0xff8;

    // ---- module-plts.c ----------------------------------------------------------------------------------------

    private const uint Br16 = 0xd61f0200; // br x16

    private bool InInit(ulong loc) => unchecked(loc - Module.InitBase) < Module.Layout.InitSize;

    /// <summary><c>module_emit_plt_entry</c>: a new entry, unless it equals the last one emitted (the table is sorted).</summary>
    private ulong EmitPlt(ulong loc, ulong val)
    {
        var sec = InInit(loc) ? _init : _core;
        if (sec.Index == 0)
        {
            throw Refuse(Overflow, $"module {Name}: a branch out of range needs a PLT, and there is no PLT section");
        }

        var plt = Module.Writable(sec.Index);
        var baseAddr = Module.Addresses[sec.Index];
        var i = sec.Count;
        var j = i - 1;
        if (ForbiddenForAdrp(baseAddr + (ulong)(i * 12)))
        {
            i++;
        }

        if ((i + 1) * 12 > plt.Length)
        {
            throw Refuse(Overflow, $"module {Name}: WARN_ON(plt_num_entries > plt_max_entries): {Name} has no room for PLT entry {i}", "-ENOEXEC");
        }

        var entry = PltEntry(val, baseAddr + (ulong)(i * 12), 16, Br16);
        WritePlt(plt[(i * 12)..], entry);
        if (j >= 0 && PltEntriesEqual(entry, baseAddr + (ulong)(i * 12), Read(plt, j), baseAddr + (ulong)(j * 12)))
        {
            return baseAddr + (ulong)(j * 12);
        }

        sec.Count += i - j;
        if (sec.Count > sec.Max)
        {
            throw Refuse(Overflow, $"module {Name}: WARN_ON(plt_num_entries > plt_max_entries) in module_emit_plt_entry");
        }

        return baseAddr + (ulong)(i * 12);
    }

    /// <summary><c>module_emit_veneer_for_adrp</c>: adrp+add into the ADRP's own register, then a branch back.</summary>
    private ulong EmitVeneerForAdrp(ulong loc, ulong val, uint adrp)
    {
        var sec = InInit(loc) ? _init : _core;
        var plt = Module.Writable(sec.Index);
        var baseAddr = Module.Addresses[sec.Index];
        var i = sec.Count++;
        if (sec.Count > sec.Max)
        {
            throw Refuse(Overflow, $"module {Name}: WARN_ON(plt_num_entries > plt_max_entries) in module_emit_veneer_for_adrp");
        }

        if (ForbiddenForAdrp(baseAddr + (ulong)(i * 12)))
        {
            i = sec.Count++;
        }

        var at = baseAddr + (ulong)(i * 12);
        var br = BranchImm(at + 8, loc + 4);
        WritePlt(plt[(i * 12)..], PltEntry(val, at, (int)(adrp & 0x1f), br));
        return at;
    }

    /// <summary><c>__get_adrp_add_pair</c> plus the third word: adrp reg, dst; add reg, reg, :lo12:dst; br.</summary>
    private static (uint Adrp, uint Add, uint Br) PltEntry(ulong dst, ulong pc, int reg, uint br)
    {
        var offset = (long)((dst & ~0xfffUL) - (pc & ~0xfffUL));
        var adrp = offset < -(1L << 32) || offset >= 1L << 32 ? BreakFault : Encode(ImmField.Adr, 0x90000000u | (uint)reg, (ulong)offset >> 12);
        var add = 0x91000000u | (uint)reg | ((uint)reg << 5) | ((uint)(dst % 4096) << 10);
        return (adrp, add, br);
    }

    private static bool PltEntriesEqual((uint Adrp, uint Add, uint Br) a, ulong aAt, (uint Adrp, uint Add, uint Br) b, ulong bAt)
    {
        if (a.Add != b.Add || a.Br != b.Br)
        {
            return false;
        }

        ulong p = aAt & ~0xfffUL, q = bAt & ~0xfffUL;
        if (a.Adrp == b.Adrp && p == q)
        {
            return true;
        }

        return unchecked(p + AdrpOffset(a.Adrp)) == unchecked(q + AdrpOffset(b.Adrp));
    }

    /// <summary><c>aarch64_insn_adrp_get_offset</c>: the 21-bit immediate, sign-extended, in pages.</summary>
    private static ulong AdrpOffset(uint insn)
    {
        var imm = ((insn >> 29) & 3) | (((insn >> 5) & 0x7ffff) << 2);
        return (ulong)((long)((ulong)imm << 43) >> 31); // sign-extend 21 bits, then << 12
    }

    /// <summary><c>aarch64_insn_gen_branch_imm</c> (b, no link); BREAK_FAULT when out of range or misaligned, as the kernel.</summary>
    private static uint BranchImm(ulong pc, ulong addr)
    {
        var offset = (long)(addr - pc);
        if ((pc & 3) != 0 || (addr & 3) != 0 || offset < -(128L << 20) || offset >= 128L << 20)
        {
            return BreakFault;
        }

        return Encode(ImmField.Imm26, 0x14000000u, (ulong)(offset >> 2));
    }

    private (uint Adrp, uint Add, uint Br) Read(Span<byte> plt, int i) =>
        (Endian.U32(plt[(i * 12)..]), Endian.U32(plt[((i * 12) + 4)..]), Endian.U32(plt[((i * 12) + 8)..]));

    private void WritePlt(Span<byte> at, (uint Adrp, uint Add, uint Br) e)
    {
        Endian.Put32(at, e.Adrp);
        Endian.Put32(at[4..], e.Add);
        Endian.Put32(at[8..], e.Br);
    }

    private enum ImmField
    {
        Imm26,
        Imm19,
        Imm16,
        Imm14,
        Imm12,
        Adr,
    }

    /// <summary><c>aarch64_insn_encode_immediate</c>.</summary>
    private static uint Encode(ImmField field, uint insn, ulong imm)
    {
        if (insn == BreakFault)
        {
            return BreakFault;
        }

        uint mask;
        int shift;
        switch (field)
        {
            case ImmField.Adr:
                var lo = (uint)(imm & 3) << 29;
                var hi = (uint)((imm >> 2) & 0x7ffff) << 5;
                return (insn & ~((3u << 29) | (0x7ffffu << 5))) | lo | hi;
            case ImmField.Imm26: mask = (1u << 26) - 1; shift = 0; break;
            case ImmField.Imm19: mask = (1u << 19) - 1; shift = 5; break;
            case ImmField.Imm16: mask = (1u << 16) - 1; shift = 5; break;
            case ImmField.Imm14: mask = (1u << 14) - 1; shift = 5; break;
            default: mask = (1u << 12) - 1; shift = 10; break;
        }

        return (insn & ~(mask << shift)) | (((uint)imm & mask) << shift);
    }

    /// <summary><c>struct mod_plt_sec</c>: the section, entries used, and the maximum module_frob_arch_sections sized it for.</summary>
    private sealed class PltSection
    {
        public int Index { get; private init; }
        public int Count { get; set; }
        public int Max { get; private init; }

        public static PltSection Of(LoadedModule m, string name) => m.Layout.FindLastByIndex(name) is { } s
            ? new PltSection { Index = s.Index, Max = (int)(s.Size / 12) - 1 }
            : new PltSection();
    }
}
