using DynDbg.ElfSim.Elf;
using DynDbg.ElfSim.Loading;

namespace DynDbg.ElfSim.Arch;

/// <summary>
/// mips's <c>apply_relocate</c> (REL) and <c>apply_relocate_add</c> (RELA), both <c>__apply_relocate</c> in 6.1
/// arch/mips/kernel/module.c, ported statement by statement: <c>reloc_handler</c>'s eleven types, the REL
/// R_MIPS_HI16 list that the next R_MIPS_LO16 resolves (with the carry of its sign-extended low half), the
/// alignment ("dangerous") and range checks with their messages and errnos.
/// <para>
/// Widths follow the kernel's: <c>Elf_Addr</c> and <c>unsigned long</c> are 64-bit on a 64-bit kernel (ELFCLASS64
/// modules) and 32-bit on a 32-bit one, every instruction is a <c>u32</c>. On 64-bit, an entry is an
/// <c>Elf64_Mips_Rel(a)</c> and <c>ELF_MIPS_R_TYPE</c> is its <c>r_type</c> alone: r_type2 and r_type3 are not
/// looked at (Debian's mips64el modules, built -msym32, carry R_MIPS_NONE there), so neither are they here.
/// </para>
/// </summary>
public sealed class MipsRelocator(LoadedModule module) : ModuleRelocator(module)
{
    /// <summary>
    /// The arch refuses a relocation as malformed rather than out of range: a misaligned R_MIPS_26/PC* target, an
    /// R_MIPS_LO16 whose value is not its R_MIPS_HI16s', an R_MIPS_HI16 left without an R_MIPS_LO16, a REL form of a
    /// RELA-only type.
    /// </summary>
    public const string Dangerous = "LDR016";

    private const uint RNone = 0, R32 = 2, R26 = 4, RHi16 = 5, RLo16 = 6, RPc16 = 10, R64 = 18, RHigher = 28, RHighest = 29,
        RPc21S2 = 60, RPc26S2 = 61;

    private const ulong MaxErrno = 4095;

    private readonly bool _is64 = module.File.Header.Is64;

    /// <summary><c>me->arch.r_mips_hi16_list</c>: REL R_MIPS_HI16s waiting for their R_MIPS_LO16, newest last.</summary>
    private readonly List<Hi16> _hi16 = [];

    private int _extraTypes;

    /// <summary>One <c>struct mips_hi16</c>: where (section and offset of <c>addr</c>) and <c>value</c>.</summary>
    private readonly record struct Hi16(int Target, ulong Offset, ulong Value);

    /// <summary><c>__apply_relocate</c>: <c>me->arch.r_mips_hi16_list = NULL</c> before the loop.</summary>
    public override void BeginTable(ElfSection relocationSection) => _hi16.Clear();

    /// <summary>
    /// <c>__apply_relocate</c>'s <c>out:</c> a HI16 list still pending (REL HI16s not followed by a LO16) is freed
    /// and the table fails with -ENOEXEC, without a message of its own.
    /// </summary>
    public override void EndTable(ElfSection relocationSection)
    {
        if (_hi16.Count == 0)
        {
            return;
        }

        var first = _hi16[0];
        var count = _hi16.Count;
        _hi16.Clear();
        throw Refuse(Dangerous,
            $"module {Name}: {count} R_MIPS_HI16 relocation(s) in {relocationSection.Name} (first at r_offset 0x{first.Offset:x}) " +
            "not followed by an R_MIPS_LO16 (apply_relocate returns -ENOEXEC without a message)");
    }

    public override void Apply(in RelocationSite site, Span<byte> place)
    {
        var r = site.Relocation;
        var rela = r.HasExplicitAddend;
        var stValue = Addr(site.SymbolValue);
        if (stValue >= Addr(unchecked(0UL - MaxErrno)))
        {
            // the kernel's own test for what simplify_symbols left unresolved: a weak one is skipped
            if (site.Symbol.Binding == ElfConstants.StbWeak)
            {
                return;
            }

            throw Refuse(LoadedModule.UnknownSymbol, $"{Name}: Unknown symbol {SymbolName(site)}", "-ENOENT");
        }

        if (r.Type2 != 0 || r.Type3 != 0)
        {
            _extraTypes++;
        }

        uint @base;
        ulong v;
        if (rela)
        {
            v = Addr(unchecked(stValue + (ulong)r.Addend));
            @base = 0;
        }
        else
        {
            v = stValue;
            CheckRoom(place, 4, r);
            @base = Endian.U32(place);
        }

        RelocHandler(r, site, place, @base, v, rela);
        if (r.Type != RNone)
        {
            Module.CountApplied();
        }
    }

    public override void FinishModule()
    {
        if (_extraTypes > 0)
        {
            Module.Notes.Add($"{_extraTypes} relocations carry an r_type2/r_type3: 6.1's apply_relocate_add applies r_type alone (ELF_MIPS_R_TYPE)");
        }
    }

    /// <summary><c>reloc_handler</c>.</summary>
    private void RelocHandler(in ElfRelocation r, in RelocationSite site, Span<byte> place, uint @base, ulong v, bool rela)
    {
        switch (r.Type)
        {
            case RNone:
                break;
            case R32:
                CheckRoom(place, 4, r);
                Endian.Put32(place, unchecked(@base + (uint)v)); // apply_r_mips_32
                break;
            case R26:
                ApplyR26(r, site.Loc, place, @base, v);
                break;
            case RHi16:
                ApplyHi16(r, site, place, v, rela);
                break;
            case RLo16:
                ApplyLo16(r, place, @base, v, rela);
                break;
            case RPc16:
                ApplyPc(r, site.Loc, place, @base, v, 16);
                break;
            case RPc21S2:
                ApplyPc(r, site.Loc, place, @base, v, 21);
                break;
            case RPc26S2:
                ApplyPc(r, site.Loc, place, @base, v, 26);
                break;
            case R64:
                RelaOnly(rela, 232, "apply_r_mips_64");
                CheckRoom(place, _is64 ? 8 : 4, r);
                Endian.PutWord(place, v, _is64 ? 8 : 4); // *(Elf_Addr *)location = v
                break;
            case RHigher:
                RelaOnly(rela, 242, "apply_r_mips_higher");
                SetImm16(r, place, unchecked((ulong)((long)v + 0x80008000L)) >> 32);
                break;
            case RHighest:
                RelaOnly(rela, 253, "apply_r_mips_highest");
                SetImm16(r, place, unchecked((ulong)((long)v + 0x800080008000L)) >> 48);
                break;
            default:
                throw Refuse(UnknownRelocation, $"{Name}: Unknown relocation type {r.Type}", "-EINVAL");
        }
    }

    /// <summary><c>apply_r_mips_26</c>: the target must be word-aligned and in the 256 MiB segment of the delay slot.</summary>
    private void ApplyR26(in ElfRelocation r, ulong location, Span<byte> place, uint @base, ulong v)
    {
        if (v % 4 != 0)
        {
            throw Refuse(Dangerous, $"module {Name}: dangerous R_MIPS_26 relocation");
        }

        // 0xf0000000 is an unsigned int: only bits 28-31 are compared, on a 64-bit kernel too
        if ((v & 0xf0000000) != (Addr(unchecked(location + 4)) & 0xf0000000))
        {
            throw Refuse(Overflow, $"module {Name}: relocation overflow");
        }

        CheckRoom(place, 4, r);
        var insn = Endian.U32(place);
        Endian.Put32(place, (insn & ~0x03ffffffu) | ((uint)unchecked(@base + (v >> 2)) & 0x03ffffff));
    }

    /// <summary>
    /// <c>apply_r_mips_hi16</c>: RELA writes %hi(v) with its carry now; REL cannot know the carry before the
    /// R_MIPS_LO16 (whose instruction holds the low half of the addend), so it is queued.
    /// </summary>
    private void ApplyHi16(in ElfRelocation r, in RelocationSite site, Span<byte> place, ulong v, bool rela)
    {
        if (rela)
        {
            SetImm16(r, place, unchecked((ulong)((long)v + 0x8000L)) >> 16);
            return;
        }

        _hi16.Add(new Hi16(site.Target, r.Offset, v));
    }

    /// <summary>
    /// <c>apply_r_mips_lo16</c>: RELA writes the low 16 bits of v. REL first resolves every queued R_MIPS_HI16 (the
    /// newest first, as the kernel's list is pushed at its head), which must all have this LO16's v, adding the
    /// carry of the LO16's sign-extended addend; then adds v to the LO16's own immediate.
    /// </summary>
    private void ApplyLo16(in ElfRelocation r, Span<byte> place, uint @base, ulong v, bool rela)
    {
        CheckRoom(place, 4, r);
        if (rela)
        {
            Endian.Put32(place, (Endian.U32(place) & 0xffff0000) | (uint)(v & 0xffff));
            return;
        }

        ulong insnlo = @base;
        var vallo = Addr(unchecked(((insnlo & 0xffff) ^ 0x8000) - 0x8000)); // sign extend the addend from the lo insn
        while (_hi16.Count > 0)
        {
            var l = _hi16[^1];
            if (v != l.Value)
            {
                _hi16.Clear(); // out_danger: free_relocation_chain
                throw Refuse(Dangerous, $"module {Name}: dangerous R_MIPS_LO16 relocation");
            }

            // n->addr is an Elf_Addr *: the kernel loads and stores a whole Elf_Addr there (8 bytes on a 64-bit
            // kernel) and changes only its low 16 bits
            var width = _is64 ? 8 : 4;
            var at = Module.Writable(l.Target);
            var hiPlace = at[(int)Math.Min(l.Offset, (ulong)at.Length)..];
            CheckRoom(hiPlace, width, r);
            var insn = Endian.Word(hiPlace, width);
            var val = Addr(unchecked(((insn & 0xffff) << 16) + vallo + v));
            val = ((val >> 16) + ((val & 0x8000) != 0 ? 1UL : 0UL)) & 0xffff; // the carry of the low half's sign
            insn = (insn & ~0xffffUL) | val;
            Endian.PutWord(hiPlace, insn, width);
            _hi16.RemoveAt(_hi16.Count - 1);
        }

        var lo = Addr(unchecked(v + vallo));
        insnlo = (insnlo & ~0xffffUL) | (lo & 0xffff);
        Endian.Put32(place, (uint)insnlo);
    }

    /// <summary>
    /// <c>apply_r_mips_pc</c> (PC16, PC21_S2, PC26_S2): word-aligned target, the implicit addend sign-extended from
    /// the field, (v - P) &gt;&gt; 2 added in <c>long</c>, and everything above the field's sign bit must equal it.
    /// </summary>
    private void ApplyPc(in ElfRelocation r, ulong location, Span<byte> place, uint @base, ulong v, int bits)
    {
        if (v % 4 != 0)
        {
            throw Refuse(Dangerous, $"module {Name}: dangerous R_MIPS_PC{bits} relocation");
        }

        var mask = (1L << bits) - 1; // GENMASK(bits - 1, 0)
        var sign = 1L << (bits - 1);
        var offset = @base & mask; // retrieve & sign extend implicit addend if any
        offset |= (offset & sign) != 0 ? ~mask : 0;
        offset = Long(unchecked((ulong)(offset + (Long(unchecked((ulong)(Long(v) - Long(location)))) >> 2))));
        var seBits = (offset & sign) != 0 ? ~0L : 0L;
        if ((offset & ~mask) != (seBits & ~mask))
        {
            throw Refuse(Overflow, $"module {Name}: relocation overflow");
        }

        CheckRoom(place, 4, r);
        Endian.Put32(place, (Endian.U32(place) & ~(uint)mask) | (uint)(offset & mask));
    }

    private void SetImm16(in ElfRelocation r, Span<byte> place, ulong imm)
    {
        CheckRoom(place, 4, r);
        Endian.Put32(place, (Endian.U32(place) & 0xffff0000) | (uint)(imm & 0xffff));
    }

    /// <summary>R_MIPS_64/HIGHER/HIGHEST in a REL table: <c>WARN_ON(!rela)</c>, then -EINVAL.</summary>
    private void RelaOnly(bool rela, int line, string function)
    {
        if (!rela)
        {
            throw Refuse(Dangerous, $"WARNING: at arch/mips/kernel/module.c:{line} {function}: a REL relocation of a type handled only as RELA", "-EINVAL");
        }
    }

    /// <summary>A value as <c>Elf_Addr</c>/<c>unsigned long</c> holds it: 32 bits on a 32-bit kernel.</summary>
    private ulong Addr(ulong x) => _is64 ? x : (uint)x;

    /// <summary>A value as <c>long</c> holds it: 32 bits (sign-extended here) on a 32-bit kernel.</summary>
    private long Long(ulong x) => _is64 ? (long)x : (int)(uint)x;
}
