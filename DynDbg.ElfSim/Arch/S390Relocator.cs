using DynDbg.ElfSim.Elf;
using DynDbg.ElfSim.Loading;

namespace DynDbg.ElfSim.Arch;

/// <summary>
/// s390's <c>apply_relocate_add</c> (6.1 arch/s390/kernel/module.c: <c>apply_rela</c>, <c>apply_rela_bits</c>) with
/// the GOT and PLT that <c>module_frob_arch_sections</c> reserved at core+0 (<see cref="LoadedModule.Reserved"/>):
/// each symbol's GOT slot and PLT entry is the one <c>check_rela</c> assigned (<see cref="S390ModuleArch.Assign"/>),
/// written by the first relocation that needs it (<c>got_initialized</c>, <c>plt_initialized</c>), with the range and
/// alignment checks and the refusals of <c>apply_rela_bits</c>. Then <c>module_finalize</c>'s expoline thunk at the
/// PLT's end when CONFIG_EXPOLINE is on (Debian's s390x 6.1 has it off). Big-endian throughout.
/// </summary>
public sealed class S390Relocator : ModuleRelocator
{
    private const uint RNone = 0;
    private const uint R8 = 1;
    private const uint R12 = 2;
    private const uint R16 = 3;
    private const uint R32 = 4;
    private const uint RPc32 = 5;
    private const uint RCopy = 9;
    private const uint RGlobDat = 10;
    private const uint RJmpSlot = 11;
    private const uint RRelative = 12;
    private const uint RGotOff32 = 13;
    private const uint RGotPc = 14;
    private const uint RPc16 = 16;
    private const uint RPc16Dbl = 17;
    private const uint RPc32Dbl = 19;
    private const uint RGotPcDbl = 21;
    private const uint R64 = 22;
    private const uint RPc64 = 23;
    private const uint RGotOff16 = 27;
    private const uint RGotOff64 = 28;
    private const uint R20 = 57;

    private readonly SymbolSlots _slots;
    private readonly HashSet<uint> _gotInitialized = [];
    private readonly HashSet<uint> _pltInitialized = [];
    private readonly bool _expoline;

    // me->arch.got_offset, plt_offset, plt_size: module_frob_arch_sections ran with core_layout.size 0
    private readonly ulong _gotOffset;
    private readonly ulong _pltOffset;
    private readonly ulong _pltSize;

    // false for a layout module_frob_arch_sections did not make (a linked image placed at its script's addresses):
    // no GOT or PLT to use, so the relocations that need them are left unapplied and noted
    private readonly bool _hasGot;
    private int _withoutGot;

    public S390Relocator(LoadedModule module) : base(module)
    {
        _slots = S390ModuleArch.Assign(S390ModuleArch.FrobOrder(module.File, module.File.Sections));
        _expoline = module.Layout.Config?.Expoline ?? false;
        (_gotOffset, _pltOffset, _pltSize, var reserved) = S390ModuleArch.Reserve(0, _slots.GotSize, _slots.PltSize, _expoline);
        _hasGot = reserved == module.Layout.CoreReserved;
    }

    private ulong CoreBase => Module.CoreBase;

    /// <summary>s390 has no <c>apply_relocate</c> (no CONFIG_MODULES_USE_ELF_REL): moduleloader.h's stub refuses SHT_REL.</summary>
    public override ReadOnlySpan<ElfRelocation> Order(ElfSection relocationSection, ElfRelocationTable table)
    {
        if (relocationSection.Type != ElfConstants.ShtRela)
        {
            throw Refuse(UnknownRelocation, $"module {Name}: REL relocation unsupported");
        }

        return table.Entries;
    }

    public override void Apply(in RelocationSite site, Span<byte> place)
    {
        var r = site.Relocation;
        var type = r.Type;
        var loc = site.Loc;
        var addend = (ulong)r.Addend;
        var sym = (uint)site.SymbolIndex;
        var val = site.SymbolValue; // symtab[r_sym].st_value after simplify_symbols
        bool ok;
        if (!_hasGot && NeedsGotOrPlt(type))
        {
            _withoutGot++;
            return;
        }

        unchecked
        {
            switch (type)
            {
                case RNone:
                    return;
                case R8 or R12 or R16 or R20 or R32 or R64:
                    val += addend;
                    ok = type switch
                    {
                        R8 => Bits(place, val, false, 8, 0, r),
                        R12 => Bits(place, val, false, 12, 0, r),
                        R16 => Bits(place, val, false, 16, 0, r),
                        R20 => Bits(place, val, true, 20, 0, r),
                        R32 => Bits(place, val, false, 32, 0, r),
                        _ => Bits(place, val, false, 64, 0, r),
                    };
                    break;
                case RPc16 or RPc16Dbl or RPc32Dbl or RPc32 or RPc64:
                    val += addend - loc;
                    ok = type switch
                    {
                        RPc16 => Bits(place, val, true, 16, 0, r),
                        RPc16Dbl => Bits(place, val, true, 16, 1, r),
                        RPc32Dbl => Bits(place, val, true, 32, 1, r),
                        RPc32 => Bits(place, val, true, 32, 0, r),
                        _ => Bits(place, val, true, 64, 0, r),
                    };
                    break;
                case S390ModuleArch.RGot12 or S390ModuleArch.RGot16 or S390ModuleArch.RGot20 or S390ModuleArch.RGot32
                    or S390ModuleArch.RGot64 or S390ModuleArch.RGotEnt or S390ModuleArch.RGotPlt12 or S390ModuleArch.RGotPlt20
                    or S390ModuleArch.RGotPlt16 or S390ModuleArch.RGotPlt32 or S390ModuleArch.RGotPlt64 or S390ModuleArch.RGotPltEnt:
                {
                    var gotOffset = _slots.Got[sym];
                    if (_gotInitialized.Add(sym))
                    {
                        Endian.Put64(Module.WritableReserved[(int)(_gotOffset + gotOffset)..], val);
                    }

                    val = gotOffset + addend;
                    if (type is S390ModuleArch.RGotEnt or S390ModuleArch.RGotPltEnt)
                    {
                        val += CoreBase - loc; // the kernel adds core_layout.base, not the GOT's (at core+0 anyway)
                    }

                    ok = type switch
                    {
                        S390ModuleArch.RGot12 or S390ModuleArch.RGotPlt12 => Bits(place, val, false, 12, 0, r),
                        S390ModuleArch.RGot16 or S390ModuleArch.RGotPlt16 => Bits(place, val, false, 16, 0, r),
                        S390ModuleArch.RGot20 or S390ModuleArch.RGotPlt20 => Bits(place, val, true, 20, 0, r),
                        S390ModuleArch.RGot32 or S390ModuleArch.RGotPlt32 => Bits(place, val, false, 32, 0, r),
                        S390ModuleArch.RGot64 or S390ModuleArch.RGotPlt64 => Bits(place, val, false, 64, 0, r),
                        _ => Bits(place, val, true, 32, 1, r), // GOTENT, GOTPLTENT
                    };
                    break;
                }

                case S390ModuleArch.RPlt16Dbl or S390ModuleArch.RPlt32Dbl or S390ModuleArch.RPlt32 or S390ModuleArch.RPlt64
                    or S390ModuleArch.RPltOff16 or S390ModuleArch.RPltOff32 or S390ModuleArch.RPltOff64:
                {
                    var pltOffset = _slots.Plt[sym];
                    if (_pltInitialized.Add(sym))
                    {
                        WritePltEntry(pltOffset, val);
                    }

                    if (type is S390ModuleArch.RPltOff16 or S390ModuleArch.RPltOff32 or S390ModuleArch.RPltOff64)
                    {
                        val = _pltOffset - _gotOffset + pltOffset + addend;
                    }
                    else
                    {
                        // a PLT16DBL/PLT32DBL whose target is in reach branches there directly
                        if (!((type == S390ModuleArch.RPlt16Dbl && val - loc + 0xffffUL < 0x1ffffeUL) ||
                              (type == S390ModuleArch.RPlt32Dbl && val - loc + 0xffffffffUL < 0x1fffffffeUL)))
                        {
                            val = CoreBase + _pltOffset + pltOffset;
                        }

                        val += addend - loc;
                    }

                    ok = type switch
                    {
                        S390ModuleArch.RPlt16Dbl => Bits(place, val, true, 16, 1, r),
                        S390ModuleArch.RPltOff16 => Bits(place, val, false, 16, 0, r),
                        S390ModuleArch.RPlt32Dbl => Bits(place, val, true, 32, 1, r),
                        S390ModuleArch.RPlt32 or S390ModuleArch.RPltOff32 => Bits(place, val, false, 32, 0, r),
                        _ => Bits(place, val, false, 64, 0, r), // PLT64, PLTOFF64
                    };
                    break;
                }

                case RGotOff16 or RGotOff32 or RGotOff64:
                    val = val + addend - (CoreBase + _gotOffset);
                    ok = type switch
                    {
                        RGotOff16 => Bits(place, val, false, 16, 0, r),
                        RGotOff32 => Bits(place, val, false, 32, 0, r),
                        _ => Bits(place, val, false, 64, 0, r),
                    };
                    break;
                case RGotPc or RGotPcDbl:
                    val = CoreBase + _gotOffset + addend - loc;
                    ok = type == RGotPc ? Bits(place, val, true, 32, 0, r) : Bits(place, val, true, 32, 1, r);
                    break;
                case RCopy or RGlobDat or RJmpSlot or RRelative:
                    // "Only needed if we want to support loading of modules linked with -shared."
                    throw Refuse(UnknownRelocation,
                        $"module {Name}: relocation type {type} (for modules linked with -shared) refused without a message");
                default:
                    throw Refuse(UnknownRelocation, $"module {Name}: unknown relocation: {type}");
            }
        }

        if (!ok)
        {
            var name = SymbolName(site);
            throw Refuse(Overflow, $"module {Name}: relocation error for symbol {name} (r_type {(int)type}, value 0x{val:x})");
        }

        Module.CountApplied();
    }

    private static bool NeedsGotOrPlt(uint type) => type is S390ModuleArch.RGot12 or S390ModuleArch.RGot16 or S390ModuleArch.RGot20
        or S390ModuleArch.RGot32 or S390ModuleArch.RGot64 or S390ModuleArch.RGotEnt or S390ModuleArch.RGotPlt12
        or S390ModuleArch.RGotPlt16 or S390ModuleArch.RGotPlt20 or S390ModuleArch.RGotPlt32 or S390ModuleArch.RGotPlt64
        or S390ModuleArch.RGotPltEnt or S390ModuleArch.RPlt16Dbl or S390ModuleArch.RPlt32Dbl or S390ModuleArch.RPlt32
        or S390ModuleArch.RPlt64 or S390ModuleArch.RPltOff16 or S390ModuleArch.RPltOff32 or S390ModuleArch.RPltOff64
        or RGotOff16 or RGotOff32 or RGotOff64 or RGotPc or RGotPcDbl;

    /// <summary>
    /// <c>module_finalize</c>: with expolines on, the shared thunk in the PLT's last entry (<c>exrl %r0,.+10</c>;
    /// <c>j .</c>; <c>br %r1</c>), which every PLT entry's <c>brcl</c> jumps to.
    /// </summary>
    public override void FinishModule()
    {
        if (_withoutGot > 0)
        {
            Module.Notes.Add($"{_withoutGot} R_390_GOT*/PLT* relocations not applied: the layout reserved no GOT and PLT at core+0 (not a module layout)");
        }

        if (!_expoline || _pltSize == 0)
        {
            return;
        }

        var ij = Module.WritableReserved[(int)(_pltOffset + _pltSize - S390ModuleArch.PltEntrySize)..];
        Endian.Put32(ij, 0xc6000000);
        Endian.Put32(ij[4..], 0x0005a7f4);
        Endian.Put32(ij[8..], 0x000007f1);
    }

    /// <summary>
    /// One 22-byte PLT entry: <c>basr %r1,0</c>; <c>lg %r1,12(%r1)</c>; then <c>br %r1</c> (or, with expolines,
    /// <c>brcl 15,__jump_r1</c> to the thunk); the target at +14. Without expolines the kernel never sets bytes
    /// 12–13 of its <c>insn[]</c>: CONFIG_INIT_STACK_ALL_ZERO (Debian's) makes them zero, as here.
    /// </summary>
    private void WritePltEntry(ulong pltOffset, ulong val)
    {
        var ip = Module.WritableReserved.Slice((int)(_pltOffset + pltOffset), (int)S390ModuleArch.PltEntrySize);
        Endian.Put32(ip, 0x0d10e310);
        Endian.Put32(ip[4..], 0x100c0004);
        if (_expoline)
        {
            var jumpR1 = _pltOffset + _pltSize - S390ModuleArch.PltEntrySize;
            Endian.Put16(ip[8..], 0xc0f4);
            Endian.Put32(ip[10..], unchecked((uint)(int)(((long)jumpR1 - (long)(_pltOffset + pltOffset + 8)) / 2)));
        }
        else
        {
            Endian.Put32(ip[8..], 0x07f10000);
        }

        Endian.Put64(ip[14..], val);
    }

    /// <summary>
    /// <c>apply_rela_bits</c>: false (-ENOEXEC) when <paramref name="val"/> is not a multiple of 2^shift or, shifted,
    /// does not fit <paramref name="bits"/> (signed or not); else the field written, 12- and 20-bit ones keeping the
    /// instruction's other bits.
    /// </summary>
    private bool Bits(Span<byte> place, ulong val, bool sign, int bits, int shift, in ElfRelocation r)
    {
        unchecked
        {
            if ((val & ((1UL << shift) - 1)) != 0)
            {
                return false;
            }

            if (sign)
            {
                val = (ulong)((long)val >> shift);
                var min = -(1L << (bits - 1));
                var max = (1L << (bits - 1)) - 1;
                if ((long)val < min || (long)val > max)
                {
                    return false;
                }
            }
            else
            {
                val >>= shift;
                var umax = ((1UL << (bits - 1)) << 1) - 1;
                if (val > umax)
                {
                    return false;
                }
            }

            switch (bits)
            {
                case 8:
                    CheckRoom(place, 1, r);
                    place[0] = (byte)val;
                    break;
                case 12:
                    CheckRoom(place, 2, r);
                    Endian.Put16(place, (ushort)((val & 0xfff) | (Endian.U16(place) & 0xf000u)));
                    break;
                case 16:
                    CheckRoom(place, 2, r);
                    Endian.Put16(place, (ushort)val);
                    break;
                case 20:
                    CheckRoom(place, 4, r);
                    Endian.Put32(place, (uint)(((val & 0xfff) << 16) | ((val & 0xff000) >> 4) | (Endian.U32(place) & 0xf00000ffu)));
                    break;
                case 32:
                    CheckRoom(place, 4, r);
                    Endian.Put32(place, (uint)val);
                    break;
                default:
                    CheckRoom(place, 8, r);
                    Endian.Put64(place, val);
                    break;
            }

            return true;
        }
    }
}
