using System.Numerics;
using DynDbg.ElfSim.Elf;
using DynDbg.ElfSim.Loading;

namespace DynDbg.ElfSim.Arch;

/// <summary>
/// 32-bit ARM's <c>apply_relocate</c> (REL; 6.1 arch/arm/kernel/module.c as Debian's armmp builds it: ARM, not
/// Thumb-2, little-endian, CONFIG_ARM_HAS_GROUP_RELOCS and CONFIG_ARM_MODULE_PLTS) with module-plts.c's
/// <c>get_module_plt</c>: ABS32/TARGET1, the 24-bit branches (through a PLT when out of range), V4BX, PREL31,
/// REL32, MOVW/MOVT, the ALU/LDR group relocations, their range checks and the kernel's messages. Thumb-2
/// types are refused as unknown, as this kernel refuses them.
/// </summary>
public sealed class ArmRelocator : ModuleRelocator
{
    private const uint PltEntLdr = 0xe59ff000 | (uint)(ArmModuleArch.L1CacheBytes - 8); // ldr pc, [pc, #stride - 8]

    private readonly PltState _core;
    private readonly PltState _init;

    public ArmRelocator(LoadedModule module) : base(module)
    {
        _core = new PltState(module.Layout.FindLastByIndex(".plt")?.Index ?? 0);
        _init = new PltState(module.Layout.FindLastByIndex(".init.plt")?.Index ?? 0);
    }

    /// <summary>module_frob_arch_sections sorted each table that relocates an executable section (cmp_rel, lib/sort.c's heapsort).</summary>
    public override ReadOnlySpan<ElfRelocation> Order(ElfSection relocationSection, ElfRelocationTable table)
    {
        var target = Module.File.Sections[(int)relocationSection.Info];
        if (relocationSection.Type != ElfConstants.ShtRel || (target.Flags & ElfConstants.ShfExecInstr) == 0)
        {
            return table.Entries;
        }

        var rel = table.Entries.ToArray();
        ArmModuleArch.KernelSort(rel, ArmModuleArch.CmpRel);
        return rel;
    }

    public override void Apply(in RelocationSite site, Span<byte> place)
    {
        var r = site.Relocation;
        var at = site;
        string Where() => $"{Name}: section {at.Table.Section} reloc {at.Table.Entry} sym '{SymbolName(at)}'";
        if (place.Length < 4)
        {
            throw Refuse(Overflow, $"{Where()}: out of bounds relocation, offset {r.Offset} size {r.Offset + (ulong)place.Length}");
        }

        var loc = (uint)site.Loc;
        var symValue = (uint)site.SymbolValue;
        int offset;
        uint tmp;
        switch (r.Type)
        {
            case 0: // NONE
                return;
            case 2 or 38: // ABS32, TARGET1
                Endian.Put32(place, unchecked(Endian.U32(place) + symValue));
                break;
            case ArmModuleArch.RArmPc24 or ArmModuleArch.RArmCall or ArmModuleArch.RArmJump24:
                if ((symValue & 3) != 0)
                {
                    throw Refuse(UnknownRelocation, $"{Where()}: unsupported interworking call (ARM -> Thumb)");
                }

                offset = (int)((Endian.U32(place) & 0x00ffffff) << 2);
                if ((offset & 0x02000000) != 0)
                {
                    offset -= 0x04000000;
                }

                offset = unchecked(offset + (int)(symValue - loc));
                if (offset <= unchecked((int)0xfe000000) || offset >= 0x02000000)
                {
                    offset = unchecked((int)(GetModulePlt(loc, unchecked((uint)offset + loc + 8)) - loc - 8));
                }

                if (offset <= unchecked((int)0xfe000000) || offset >= 0x02000000)
                {
                    throw Refuse(Overflow, $"{Where()}: relocation {r.Type} out of range (0x{loc:x} -> 0x{symValue:x})");
                }

                Endian.Put32(place, (Endian.U32(place) & 0xff000000) | ((uint)(offset >> 2) & 0x00ffffff));
                break;
            case 40: // V4BX: recode as MOV PC,Rm keeping Rm and the condition
                Endian.Put32(place, (Endian.U32(place) & 0xf000000f) | 0x01a0f000);
                break;
            case 42: // PREL31
                offset = (int)(Endian.U32(place) << 1) >> 1;
                offset = unchecked(offset + (int)(symValue - loc));
                if (offset >= 0x40000000 || offset < -0x40000000)
                {
                    throw Refuse(Overflow, $"{Where()}: relocation {r.Type} out of range (0x{loc:x} -> 0x{symValue:x})");
                }

                Endian.Put32(place, (Endian.U32(place) & 0x80000000) | ((uint)offset & 0x7fffffff));
                break;
            case 3: // REL32
                Endian.Put32(place, unchecked(Endian.U32(place) + symValue - loc));
                break;
            case 43 or 44 or 45 or 46: // MOVW_ABS_NC, MOVT_ABS, MOVW_PREL_NC, MOVT_PREL
                tmp = Endian.U32(place);
                offset = (int)(((tmp & 0xf0000) >> 4) | (tmp & 0xfff));
                offset = (offset ^ 0x8000) - 0x8000;
                offset = unchecked(offset + (int)symValue);
                if (r.Type is 46 or 45)
                {
                    offset = unchecked(offset - (int)loc);
                }

                if (r.Type is 44 or 46)
                {
                    offset >>= 16;
                }

                tmp &= 0xfff0f000;
                tmp |= (((uint)offset & 0xf000) << 4) | ((uint)offset & 0x0fff);
                Endian.Put32(place, tmp);
                break;
            case 57 or 59: // ALU_PC_G0_NC, ALU_PC_G1_NC
                {
                    var group = r.Type == 57 ? 0u : 1u;
                    tmp = Endian.U32(place);
                    offset = (int)BitOperations.RotateRight(tmp & 0xff, (int)((tmp & 0xf00) >> 7));
                    if ((tmp & (1u << 22)) != 0)
                    {
                        offset = -offset;
                    }

                    offset = unchecked(offset + (int)(symValue - loc));
                    if (offset < 0)
                    {
                        offset = -offset;
                        tmp = (tmp & ~(1u << 23)) | (1u << 22); // SUB
                    }
                    else
                    {
                        tmp = (tmp & ~(1u << 22)) | (1u << 23); // ADD
                    }

                    var u = (uint)offset;
                    var shift = GetGroupRem(group, ref u);
                    if (shift < 24)
                    {
                        u >>= (int)(24 - shift);
                        u |= (shift + 8) << 7;
                    }

                    Endian.Put32(place, (tmp & ~0xfffu) | u);
                    break;
                }

            case 63: // LDR_PC_G2
                {
                    tmp = Endian.U32(place);
                    offset = (int)(tmp & 0xfff);
                    if ((~tmp & (1u << 23)) != 0)
                    {
                        offset = -offset;
                    }

                    offset = unchecked(offset + (int)(symValue - loc));
                    if (offset < 0)
                    {
                        offset = -offset;
                        tmp &= ~(1u << 23);
                    }
                    else
                    {
                        tmp |= 1u << 23;
                    }

                    var u = (uint)offset;
                    GetGroupRem(2, ref u);
                    if (u > 0xfff)
                    {
                        throw Refuse(Overflow, $"{Where()}: relocation {r.Type} out of range (0x{loc:x} -> 0x{symValue:x})");
                    }

                    Endian.Put32(place, (tmp & ~0xfffu) | u);
                    break;
                }

            default:
                throw Refuse(UnknownRelocation, $"{Name}: unknown relocation: {r.Type}");
        }

        Module.CountApplied();
    }

    /// <summary><c>get_group_rem</c>: what is left of the offset after <paramref name="group"/> 8-bit rotated chunks, and the last shift.</summary>
    private static uint GetGroupRem(uint group, ref uint offset)
    {
        var val = offset;
        uint shift;
        do
        {
            shift = val != 0 ? (uint)(31 - (31 - BitOperations.LeadingZeroCount(val))) & ~1u : 32;
            offset = val;
            if (val == 0)
            {
                break;
            }

            val &= shift >= 32 ? 0 : 0xffffffu >> (int)shift;
        }
        while (group-- != 0);

        return shift;
    }

    /// <summary>
    /// <c>get_module_plt</c>: blocks of PLT_ENT_COUNT "ldr pc, [pc, #stride-8]" followed by their literals; the
    /// first call fills the fixed ftrace_caller and __gnu_mcount_nc entries; a target equal to the last one
    /// allocated reuses it (the table is sorted).
    /// </summary>
    private uint GetModulePlt(uint loc, uint val)
    {
        var state = unchecked(loc - (uint)Module.InitBase) < Module.Layout.InitSize ? _init : _core;
        if (state.Section == 0)
        {
            return 0;
        }

        var plt = Module.Writable(state.Section);
        var at = (uint)Module.Addresses[state.Section];
        const int count = (int)ArmModuleArch.PltEntCount;
        const int block = (int)ArmModuleArch.PltBlockSize;
        uint Ldr(int b, int i) => at + (uint)((b * block) + (i * 4));
        Span<byte> Lit(Span<byte> p, int b, int i) => p[((b * block) + ((count + i) * 4))..];

        var fixedValues = Module.Layout.Config is { DynamicFtrace: true }
            ? new[] { Module.KernelSymbol("ftrace_caller"), Module.KernelSymbol("__gnu_mcount_nc") }
            : [];
        if (fixedValues.Length > 0 && state.Count == 0)
        {
            if (plt.Length < block)
            {
                throw PltTooSmall(plt.Length, 1);
            }

            state.Count = fixedValues.Length; // prealloc_fixed
            for (var i = 0; i < count; i++)
            {
                Endian.Put32(plt[(i * 4)..], PltEntLdr);
            }

            for (var i = 0; i < fixedValues.Length; i++)
            {
                Endian.Put32(Lit(plt, 0, i), (uint)(fixedValues[i] ?? 0));
            }
        }

        for (var i = 0; i < fixedValues.Length; i++)
        {
            if (Endian.U32(Lit(plt, 0, i)) == val)
            {
                return Ldr(0, i);
            }
        }

        int b0 = 0, idx = 0;
        if (state.Count > 0)
        {
            b0 = (state.Count - 1) / count;
            idx = (state.Count - 1) % count;
            if (Endian.U32(Lit(plt, b0, idx)) == val)
            {
                return Ldr(b0, idx);
            }

            idx = (idx + 1) % count;
            if (idx == 0)
            {
                b0++;
            }
        }

        state.Count++;
        if ((ulong)state.Count * ArmModuleArch.PltEntSize > (ulong)plt.Length)
        {
            throw Refuse(Overflow, $"{Name}: BUG_ON(plt_count * PLT_ENT_SIZE > plt->sh_size) in get_module_plt");
        }

        if ((ulong)(b0 + 1) * block > (ulong)plt.Length)
        {
            throw PltTooSmall(plt.Length, b0 + 1);
        }

        if (idx == 0)
        {
            for (var i = 0; i < count; i++)
            {
                Endian.Put32(plt[((b0 * block) + (i * 4))..], PltEntLdr);
                Endian.Put32(Lit(plt, b0, i), 0);
            }
        }

        Endian.Put32(Lit(plt, b0, idx), val);
        return Ldr(b0, idx);
    }

    /// <summary>
    /// A PLT section that does not hold the whole <c>struct plt_entries</c> blocks get_module_plt writes into. The
    /// kernel cannot meet this: module_frob_arch_sections sizes .plt/.init.plt in whole blocks for every call it
    /// counted; a section sized otherwise (or a call it did not count) would be written past its end.
    /// </summary>
    private LoaderRefusal PltTooSmall(int length, int blocks) =>
        Refuse(Overflow, $"{Name}: .plt of {length} bytes is not the {blocks} whole {ArmModuleArch.PltBlockSize}-byte plt_entries block(s) get_module_plt writes (module_frob_arch_sections sizes it in whole blocks)");

    private sealed class PltState(int section)
    {
        public int Section { get; } = section;
        public int Count { get; set; }
    }
}
