using System.Text;
using DynDbg.ElfSim.Elf;

namespace DynDbg.ElfSim.Tests.Linking;

/// <summary>
/// Seeded random relocatable objects, written as GNU as source and assembled by each architecture's own GNU as: a pool of the
/// section names kernel objects have (text, data, string merges, NOBITS, notes, arrays, ksymtab entries, debug and
/// non-allocated sections, dyndbg sections, diet-plan <c>.gnu.linkonce.dyndbg*</c> header pairs, section groups), varied
/// sizes and alignments, local/global/weak symbols over several files, and data relocations against section symbols, locals,
/// globals, weak headers and undefined symbols (absolute and PC-relative).
/// </summary>
public static class SyntheticInputs
{
    private sealed record SectionKind(string Name, string Flags, string Type = "@progbits", int EntSize = 0, int MaxAlign = 16);

    private static readonly SectionKind[] Pool =
    [
        new(".text", "ax"), new(".text.unlikely", "ax"), new(".init.text", "ax"), new(".exit.text", "ax"),
        new(".data", "aw"), new(".data..read_mostly", "aw", MaxAlign: 64), new(".rodata", "a", MaxAlign: 32),
        new(".rodata.str1.1", "aMS", EntSize: 1, MaxAlign: 1), new(".rodata.str1.8", "aMS", EntSize: 1, MaxAlign: 8),
        new(".rodata.cst8", "aM", EntSize: 8, MaxAlign: 8), new(".bss", "aw", "@nobits", MaxAlign: 64),
        new(".bss.lots", "aw", "@nobits"), new("__dyndbg", "aw", MaxAlign: 8), new("__dyndbg_sites", "aw", MaxAlign: 8),
        new("__dyndbg_classes", "aw", MaxAlign: 8), new("__jump_table", "aw", MaxAlign: 8), new("__bug_table", "aw", MaxAlign: 8),
        new(".altinstructions", "a"), new(".discard.addressable", "aw", MaxAlign: 8), new("___ksymtab+alpha", "a", MaxAlign: 4),
        new("___ksymtab+beta", "a", MaxAlign: 4), new("___ksymtab_gpl+gamma", "a", MaxAlign: 4),
        new(".init_array", "aw", "@init_array", MaxAlign: 8), new(".init_array.00099", "aw", "@init_array", MaxAlign: 8),
        new(".ctors", "aw", MaxAlign: 8), new(".ctors.00123", "aw", MaxAlign: 8), new(".note.Linux", "a", "@note", MaxAlign: 4),
        new(".note.GNU-stack", ""), new(".comment", "MS", EntSize: 1, MaxAlign: 1), new(".debug_str", "MS", EntSize: 1, MaxAlign: 1),
        new(".debug_info", ""), new(".modinfo", "a", MaxAlign: 1), new("__param", "a", MaxAlign: 8), new(".smp_locks", "a", MaxAlign: 4),
        new(".tdata", "awT"), new(".tbss", "awT", "@nobits"),
        new(".data.once", "aw"), new(".bss..page_aligned", "aw", "@nobits", MaxAlign: 64), new("__patchable_function_entries", "aw", MaxAlign: 8),
        new(".gnu.linkonce.this_module", "aw", MaxAlign: 64),
    ];

    private static readonly string[] Flags = ["a", "aw", "ax", "", "aw", "a"];

    /// <summary>Writes and assembles <paramref name="count"/> objects named f0.o, f1.o, ... in <paramref name="dir"/>.</summary>
    public static List<string> Write(string dir, int seed, ElfMachine machine, int count)
    {
        var rnd = new Random(seed);
        var (assembler, asArgs, is64) = Assembler(machine);
        var word = is64 ? ".quad" : ".long";
        var globals = Enumerable.Range(0, 12).Select(i => $"g{i}").ToArray();
        var strongOwner = globals.ToDictionary(g => g, _ => rnd.Next(count + 3));
        var names = new List<string>();
        for (var f = 0; f < count; f++)
        {
            var sb = new StringBuilder();
            sb.Append($"\t.file \"f{f}.c\"\n");
            var kinds = Enumerable.Range(0, rnd.Next(2, 9)).Select(_ => Pool[rnd.Next(Pool.Length)]).ToList();
            if (rnd.Next(5) == 0)
            {
                kinds.Add(new SectionKind($".custom.{rnd.Next(4)}", Flags[rnd.Next(Flags.Length)]));
            }

            var diet = rnd.Next(3) == 0;
            var definedHere = new HashSet<string>();
            var labels = new List<(string Label, string Section)>();
            var items = new List<Action>();
            var sectionNo = 0;
            foreach (var k in kinds)
            {
                var unique = sectionNo++;
                var header = $"\t.section {k.Name},\"{k.Flags}\",{k.Type}" + (k.EntSize > 0 ? $",{k.EntSize}" : "");
                if (rnd.Next(12) == 0 && k.Name is not (".note.GNU-stack" or ".gnu.linkonce.this_module"))
                {
                    header += $",unique,{unique}";
                }

                if (k.Name == "__patchable_function_entries" && rnd.Next(2) == 0)
                {
                    header = $"\t.section {k.Name},\"awo\",@progbits,.text";
                }

                var align = 1 << rnd.Next(0, (int)Math.Log2(k.MaxAlign) + 1);
                var local = $"l{f}_{unique}";
                labels.Add((local, k.Name));
                var kind = k;
                items.Add(() =>
                {
                    sb.Append(header).Append('\n');
                    sb.Append($"\t.balign {align}\n");
                    sb.Append($"{local}:\n");
                    Body(sb, rnd, kind, word, is64, f, globals, strongOwner, labels, definedHere);
                });
            }

            if (diet)
            {
                items.Add(() => DietHeader(sb, word, f));
            }

            // Section groups from their own generator, so the rest of each seed's case is unchanged by them.
            var groups = new Random(unchecked(seed * 7919 + f * 104729 + 0x6c7));
            if (groups.Next(3) == 0)
            {
                items.Add(() => Groups(sb, groups, word, is64));
            }

            foreach (var item in items)
            {
                item();
            }

            // Common symbols over the same names as the definitions: common vs common (size, alignment), common vs
            // weak or strong definition, in either order (bfd/linker.c and elf_link_add_object_symbols).
            // Not on MIPS: ld makes commons of up to 8 bytes small commons (.scommon, SHN_MIPS_SCOMMON), which the
            // engine refuses by name rather than emulates.
            for (var c = rnd.Next(3) == 0 && machine != ElfMachine.Mips ? rnd.Next(1, 3) : 0; c > 0; c--)
            {
                var g = globals[rnd.Next(globals.Length)];
                if (definedHere.Add(g))
                {
                    sb.Append($"\t.comm {g},{rnd.Next(1, 40)},{1 << rnd.Next(0, 5)}\n");
                }
            }

            // RISC-V build attributes that differ between files (riscv_merge_attributes), from their own generator too.
            if (machine == ElfMachine.RiscV)
            {
                sb.Insert(0, RiscvAttributes(new Random(unchecked(seed * 6151 + f * 92821 + 0x5a7))));
            }
            else if (machine == ElfMachine.Arm)
            {
                sb.Insert(0, ArmAttributes(new Random(unchecked(seed * 6151 + f * 92821 + 0xa7))));
            }

            var source = $"f{f}.s";
            // ARM's gas reads '@' as a comment: section types are written %progbits there (accepted everywhere).
            File.WriteAllText(Path.Combine(dir, source), machine == ElfMachine.Arm ? sb.ToString().Replace(",@", ",%").Replace(", @", ", %") : sb.ToString());
            var obj = $"f{f}.o";
            var (code, _, err) = Tools.RunIn(dir, assembler, [.. asArgs, "-o", obj, source]);
            if (code != 0)
            {
                throw new InvalidOperationException($"as failed on seed {seed} {source}: {err}");
            }

            names.Add(obj);
        }

        return names;
    }

    private static readonly string[] RiscvArchs =
    [
        "rv64i2p1_m2p0_a2p1_f2p2_d2p2_c2p0_zicsr2p0_zifencei2p0", "rv64i2p0_m2p0_a2p0_f2p0_d2p0_zba1p0_zbb1p0",
        "rv64i2p0_m2p0_a2p0_f2p0_d2p0_c2p0_zihintpause2p0_svinval1p0_xfoo1p0", "rv64i2p0_m2p0_a2p1_f2p2_d2p2_c2p0_zbs1p0",
    ];

    /// <summary>Directives for the start of a RISC-V file (privileged-spec ones must come before any instruction):
    /// none for two files in three, else some of Tag_RISCV_arch, priv_spec*, unaligned_access, stack_align (8 now and
    /// then, which ld refuses against 16).</summary>
    private static string RiscvAttributes(Random rnd)
    {
        if (rnd.Next(3) != 0)
        {
            return "";
        }

        var sb = new StringBuilder();
        if (rnd.Next(3) != 0)
        {
            sb.Append($"\t.attribute arch, \"{RiscvArchs[rnd.Next(RiscvArchs.Length)]}\"\n");
        }

        if (rnd.Next(3) == 0)
        {
            sb.Append($"\t.attribute priv_spec, 1\n\t.attribute priv_spec_minor, {rnd.Next(10, 13)}\n");
        }

        if (rnd.Next(3) == 0)
        {
            sb.Append($"\t.attribute unaligned_access, {rnd.Next(2)}\n");
        }

        if (rnd.Next(4) == 0)
        {
            sb.Append($"\t.attribute stack_align, {(rnd.Next(6) == 0 ? 8 : 16)}\n");
        }

        return sb.ToString();
    }

    /// <summary>ARM attributes whose merge rules are emulated (elf32_arm_merge_eabi_attributes), for one file in
    /// three: optimization goals (first seen), unaligned access and Advanced SIMD (largest), enum size and wchar_t
    /// (warnings), the fp16 format (an error when two differ).</summary>
    private static string ArmAttributes(Random rnd)
    {
        if (rnd.Next(3) != 0)
        {
            return "";
        }

        var sb = new StringBuilder();
        (int Tag, int Max)[] tags = [(30, 4), (34, 1), (12, 2), (26, 3), (18, 4), (38, 2), (9, 3)];
        foreach (var (tag, max) in tags)
        {
            if (rnd.Next(3) == 0)
            {
                var v = tag == 18 ? 2 * rnd.Next(1, 3) : tag == 38 && rnd.Next(4) != 0 ? 1 : rnd.Next(tag == 9 ? 1 : 0, max + 1);
                sb.Append($"\t.eabi_attribute {tag}, {v}\n");
            }
        }

        return sb.ToString();
    }

    /// <summary>Each architecture's own GNU as (binutils-&lt;triplet&gt;, as ld.bfd), its options, and whether its words are 64-bit.</summary>
    /// <summary>Assembles <paramref name="source"/> as <c>NAME.s</c> in <paramref name="dir"/> with the machine's own
    /// GNU as (fails, or skips locally, without it) and returns "NAME.o".</summary>
    public static string AssembleIn(string dir, ElfMachine machine, string name, string source)
    {
        var (asm, args, _) = Assembler(machine);
        Tools.Require(asm);
        File.WriteAllText(Path.Combine(dir, name + ".s"), source.EndsWith('\n') ? source : source + "\n");
        var (code, _, err) = Tools.RunIn(dir, asm, [.. args, "-o", name + ".o", name + ".s"]);
        code.Should().Be(0, err);
        return name + ".o";
    }

    public static (string As, string[] Args, bool Is64) Assembler(ElfMachine machine) => machine switch
    {
        ElfMachine.X86_64 => ("as", ["--64"], true),
        ElfMachine.I386 => ("as", ["--32"], false),
        ElfMachine.AArch64 => ("aarch64-linux-gnu-as", [], true),
        ElfMachine.Arm => ("arm-linux-gnueabihf-as", [], false),
        ElfMachine.Ppc64 => ("powerpc64le-linux-gnu-as", [], true),
        ElfMachine.S390 => ("s390x-linux-gnu-as", [], true),
        ElfMachine.Mips => ("mips64el-linux-gnuabi64-as", ["-G", "0"], true), // as the kernel builds (no small commons, no .sdata)
        ElfMachine.RiscV => ("riscv64-linux-gnu-as", [], true),
        _ => throw new ArgumentOutOfRangeException(nameof(machine), machine, "no assembler wired up"),
    };

    private static void Body(StringBuilder sb, Random rnd, SectionKind k, string word, bool is64, int f,
        string[] globals, Dictionary<string, int> strongOwner, List<(string Label, string Section)> labels, HashSet<string> definedHere)
    {
        if (k.Type == "@nobits")
        {
            sb.Append($"\t.zero {rnd.Next(0, 96)}\n");
            MaybeGlobal(sb, rnd, f, globals, strongOwner, k, definedHere);
            sb.Append($"\t.zero {rnd.Next(0, 32)}\n");
            return;
        }

        if (k.Type == "@note")
        {
            sb.Append("\t.long 6, 4, ").Append(rnd.Next(1, 9)).Append("\n\t.asciz \"Linux\"\n\t.balign 4\n");
            sb.Append($"\t.long 0x{rnd.Next():x}\n");
            return;
        }

        if (k.Flags.Contains('S'))
        {
            for (var i = rnd.Next(1, 4); i > 0; i--)
            {
                sb.Append($"\t.asciz \"s{f}_{rnd.Next(1000)}\"\n");
            }

            return;
        }

        if (k.EntSize > 1)
        {
            for (var i = rnd.Next(1, 3); i > 0; i--)
            {
                sb.Append($"\t.quad 0x{rnd.NextInt64():x}\n");
            }

            return;
        }

        var canRelocate = k.Flags.Contains('a') || k.Name.StartsWith(".debug", StringComparison.Ordinal);
        for (var i = rnd.Next(0, 6); i > 0; i--)
        {
            switch (rnd.Next(10))
            {
                case 0 or 1:
                    sb.Append($"\t.byte {rnd.Next(256)}, {rnd.Next(256)}, {rnd.Next(256)}\n");
                    break;
                case 2:
                    MaybeGlobal(sb, rnd, f, globals, strongOwner, k, definedHere);
                    sb.Append($"\t.long 0x{rnd.Next():x}\n");
                    break;
                case 3:
                    sb.Append($"\t.zero {rnd.Next(1, 40)}\n");
                    break;
                default:
                    if (!canRelocate)
                    {
                        sb.Append($"\t.long {rnd.Next()}\n");
                        break;
                    }

                    var target = Target(rnd, globals, labels, k.Name);
                    var addend = rnd.Next(4) == 0 ? $"+{rnd.Next(0, 64)}" : "";
                    if (rnd.Next(6) == 0 && !k.Name.StartsWith(".debug", StringComparison.Ordinal))
                    {
                        sb.Append($"\t.long {target}{addend} - .\n");
                    }
                    else
                    {
                        sb.Append($"\t.balign {(is64 ? 8 : 4)}\n\t{word} {target}{addend}\n");
                    }

                    break;
            }
        }
    }

    private static readonly (string Prefix, string Flags, string Type)[] GroupMembers =
    [
        (".text", "axG", "@progbits"), (".data", "awG", "@progbits"), (".rodata", "aG", "@progbits"), (".bss", "awG", "@nobits"),
        (".debug_macro", "G", "@progbits"),
    ];

    /// <summary>
    /// One or two section groups over a small set of signatures, so files share them: COMDAT (a later file's copy is
    /// discarded whole) or, now and then, without GRP_COMDAT (every copy kept). Each has one to three members of the
    /// kinds C++ and gcc -g3 make; the first defines the signature as a weak symbol (as an inline function does), and
    /// code members refer to globals, undefined names and the signature. No other section refers into a group (a
    /// reference into a discarded member is ld's error, tested on its own).
    /// </summary>
    private static void Groups(StringBuilder sb, Random rnd, string word, bool is64)
    {
        var signatures = Enumerable.Range(0, 4).OrderBy(_ => rnd.Next()).Take(rnd.Next(1, 3));
        foreach (var n in signatures)
        {
            var sig = $"grp{n}";
            var comdat = rnd.Next(6) != 0;
            var members = GroupMembers.OrderBy(_ => rnd.Next()).Take(rnd.Next(1, 4)).ToList();
            for (var m = 0; m < members.Count; m++)
            {
                var (prefix, flags, type) = members[m];
                sb.Append($"\t.section {prefix}.{sig},\"{flags}\",{type},{sig}{(comdat ? ",comdat" : "")}\n");
                sb.Append($"\t.balign {1 << rnd.Next(0, 4)}\n");
                if (m == 0)
                {
                    sb.Append($"\t.weak {sig}\n{sig}:\n");
                }

                if (type == "@nobits")
                {
                    sb.Append($"\t.zero {rnd.Next(1, 48)}\n");
                    continue;
                }

                sb.Append($"\t.byte {rnd.Next(256)}, {rnd.Next(256)}\n");
                if (prefix is ".text" or ".data")
                {
                    var target = rnd.Next(3) switch { 0 => sig, 1 => $"g{rnd.Next(12)}", _ => $"ext{rnd.Next(5)}" };
                    sb.Append($"\t.balign {(is64 ? 8 : 4)}\n\t{word} {target}\n");
                }
            }
        }
    }

    /// <summary>A relocation target: never a label in a linkonce or discard section of another section (ld rejects
    /// references into sections it discards, which is tested on its own).</summary>
    private static string Target(Random rnd, string[] globals, List<(string Label, string Section)> labels, string from)
    {
        var ok = labels.Where(l => l.Section == from ||
                                   (!l.Section.StartsWith(".gnu.linkonce", StringComparison.Ordinal) && !l.Section.StartsWith(".discard", StringComparison.Ordinal)))
            .ToList();
        return rnd.Next(4) switch
        {
            0 or 1 when ok.Count > 0 => ok[rnd.Next(ok.Count)].Label,
            2 => globals[rnd.Next(globals.Length)],
            _ => rnd.Next(3) == 0 ? "_LINKONCE_dyndbg_header" : $"ext{rnd.Next(5)}",
        };
    }

    private static void MaybeGlobal(StringBuilder sb, Random rnd, int f, string[] globals, Dictionary<string, int> strongOwner, SectionKind k,
        HashSet<string> definedHere)
    {
        if (k.Name.StartsWith(".discard", StringComparison.Ordinal) || k.Name.StartsWith(".gnu.linkonce", StringComparison.Ordinal) ||
            k.Name == ".tbss" || k.Name == ".tdata")
        {
            return;
        }

        var g = globals[rnd.Next(globals.Length)];
        if (!definedHere.Add(g))
        {
            sb.Append($"lab{f}_{rnd.Next(100000)}:\n");
            return;
        }

        if (strongOwner[g] == f)
        {
            // Each global has at most one strong definition; defining it twice is an error in ld and in the engine.
            strongOwner[g] = -1;
            sb.Append($"\t.globl {g}\n").Append(TypeAndSize(rnd, g)).Append($"{g}:\n");
        }
        else if (rnd.Next(3) == 0)
        {
            sb.Append($"\t.weak {g}\n").Append(TypeAndSize(rnd, g)).Append($"{g}:\n");
        }
        else
        {
            sb.Append($"lab{f}_{rnd.Next(100000)}:\n");
        }
    }

    /// <summary>Varied symbol type and size, so the merge of sizes and types across definitions is exercised.</summary>
    private static string TypeAndSize(Random rnd, string g) => rnd.Next(4) switch
    {
        0 => "",
        1 => $"\t.type {g}, @object\n",
        2 => $"\t.type {g}, @function\n\t.size {g}, {rnd.Next(1, 17)}\n",
        _ => $"\t.type {g}, @object\n\t.size {g}, {rnd.Next(1, 17)}\n",
    };

    /// <summary>The diet plan v5 header pair (reference section 6.8): weak, in .gnu.linkonce.dyndbg(_site), with the
    /// loopback from the site header's filename field to the descriptor header.</summary>
    private static void DietHeader(StringBuilder sb, string word, int f)
    {
        sb.Append("\t.section .rodata.str1.1,\"aMS\",@progbits,1\n");
        sb.Append($".Lmod{f}:\n\t.asciz \"mod\"\n");
        sb.Append("\t.section .gnu.linkonce.dyndbg_site,\"aw\"\n\t.balign 8\n");
        sb.Append("\t.weak _LINKONCE_dyndbg_site_header\n_LINKONCE_dyndbg_site_header:\n");
        sb.Append($"\t{word} .Lmod{f}, .Lmod{f}, _LINKONCE_dyndbg_header\n");
        sb.Append("\t.section .gnu.linkonce.dyndbg,\"aw\"\n\t.balign 8\n");
        sb.Append("\t.weak _LINKONCE_dyndbg_header\n_LINKONCE_dyndbg_header:\n");
        sb.Append($"\t{word} _LINKONCE_dyndbg_site_header, .Lmod{f}\n\t.long 0, 0\n");
        sb.Append("\t.section __dyndbg_sites,\"aw\"\n\t.balign 8\n");
        sb.Append($"site{f}:\n\t{word} .Lmod{f}, .Lmod{f}, .Lmod{f}\n");
        sb.Append("\t.section __dyndbg,\"aw\"\n\t.balign 8\n");
        sb.Append($"\t{word} site{f}, .Lmod{f}\n\t.long 42, 0\n");
    }
}
