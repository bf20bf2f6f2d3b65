using DynDbg.ElfSim.Elf;
using DynDbg.ElfSim.Loading;

namespace DynDbg.ElfSim.Tests.RealKernel;

/// <summary>
/// Where the kernel rewrites a module's code after relocating it, from the tables that tell it where (read from
/// our relocated image, so from the same addresses the kernel used): ftrace call sites (__mcount_loc,
/// __patchable_function_entries), jump labels (__jump_table), alternatives (.altinstructions) and ppc64's feature
/// fixups.
/// </summary>
public sealed class RuntimePatchSites
{
    private readonly List<(ulong Start, ulong End)> _ranges = [];

    public bool Covers(ulong address, int width) => _ranges.Any(r => address < r.End && address + (ulong)width > r.Start);

    public static RuntimePatchSites Of(ElfFile file, LoadedModule m)
    {
        var sites = new RuntimePatchSites();
        var machine = file.Header.Machine;
        var e = file.Endian;
        var word = file.Header.Is64 ? 8 : 4;
        foreach (var s in m.Layout.Sections)
        {
            var bytes = m.Bytes(s.Index);
            var at = m.Addresses[s.Index];
            switch (s.Name)
            {
                case "__mcount_loc" or "__patchable_function_entries":
                    // the call (and on ppc64 the instruction before it) becomes nops. mips modules call _mcount
                    // long (lui v1, %hi; addiu v1, %lo; move at, ra; jalr v1) and the site is the lui: 6.1
                    // arch/mips/kernel/ftrace.c ftrace_make_nop stores INSN_B_1F over it alone on CONFIG_64BIT
                    // (ftrace_modify_code), and a nop over the addiu too on 32-bit (ftrace_modify_code_2)
                    var (before, after) = machine switch
                    {
                        ElfMachine.Ppc64 => (4UL, 8UL),
                        ElfMachine.Mips => (0UL, file.Header.Is64 ? 4UL : 8UL),
                        ElfMachine.AArch64 => (0UL, 8UL),
                        _ => (0UL, 8UL),
                    };
                    for (var i = 0; i + word <= bytes.Length; i += word)
                    {
                        var site = e.Word(bytes[i..], word);
                        sites._ranges.Add((site - before, site + after));
                    }

                    break;
                case "__jump_table":
                    var relative = JumpLabelModule.RelativeEntries(machine);
                    var size = JumpLabelModule.EntrySize(machine, word);
                    for (var i = 0; i + size <= bytes.Length; i += size)
                    {
                        var code = relative ? at + (ulong)i + (ulong)(long)(int)e.U32(bytes[i..]) : e.Word(bytes[i..], word);
                        // mips: arch_jump_label_transform (6.1 arch/mips/kernel/jump_label.c) stores one
                        // instruction, *insn_p = insn, at e->code
                        sites._ranges.Add((code, code + (machine == ElfMachine.Mips ? 4UL : 8UL)));
                    }

                    break;
                case ".altinstructions" when machine is ElfMachine.X86_64 or ElfMachine.AArch64 or ElfMachine.S390 or ElfMachine.I386:
                    for (var i = 0; i + 12 <= bytes.Length; i += 12)
                    {
                        var orig = at + (ulong)i + (ulong)(long)(int)e.U32(bytes[i..]);
                        sites._ranges.Add((orig, orig + bytes[i + 10]));
                    }

                    break;
                case "__ftr_fixup" or "__mmu_ftr_fixup" or "__fw_ftr_fixup" when machine == ElfMachine.Ppc64:
                    for (var i = 0; i + 48 <= bytes.Length; i += 48)
                    {
                        var entry = at + (ulong)i;
                        sites._ranges.Add((entry + e.U64(bytes[(i + 16)..]), entry + e.U64(bytes[(i + 24)..])));
                    }

                    break;
                case ".return_sites" or ".retpoline_sites" or ".ibt_endbr_seal" or ".static_call_sites" when machine is ElfMachine.X86_64 or ElfMachine.I386:
                    // x86's apply_returns/apply_retpolines rewrite each listed call/jmp (up to 6 bytes), ibt seals
                    // endbr64s, static_call_add_module patches each call site (s32 addr, s32 key)
                    var stride = s.Name == ".static_call_sites" ? 8 : 4;
                    for (var i = 0; i + 4 <= bytes.Length; i += stride)
                    {
                        var site = at + (ulong)i + (ulong)(long)(int)e.U32(bytes[i..]);
                        sites._ranges.Add((site, site + 6));
                    }

                    break;
                case ".parainstructions" when machine is ElfMachine.X86_64 or ElfMachine.I386:
                    // struct paravirt_patch_site { u8 *instr; u8 type; u8 len; }, pointer-aligned
                    var entrySize = 2 * word;
                    for (var i = 0; i + entrySize <= bytes.Length; i += entrySize)
                    {
                        var instr = e.Word(bytes[i..], word);
                        sites._ranges.Add((instr, instr + bytes[i + word + 1]));
                    }

                    break;
                case "__lwsync_fixup" when machine == ElfMachine.Ppc64:
                    for (var i = 0; i + 4 <= bytes.Length; i += 4)
                    {
                        var site = at + (ulong)i + (ulong)(long)(int)e.U32(bytes[i..]);
                        sites._ranges.Add((site, site + 4));
                    }

                    break;
            }
        }

        return sites;
    }
}
