using DynDbg.ElfSim.Diagnostics;
using DynDbg.ElfSim.Elf;
using DynDbg.ElfSim.Linking;
using DynDbg.ElfSim.Tests.Elf;

namespace DynDbg.ElfSim.Tests.Linking;

/// <summary>
/// Section groups (COMDAT) in ld -r, against each architecture's own ld.bfd 2.40: C++ inline functions, templates,
/// static members and vtables (clang++, which interleaves each .group with its members), gcc's -g3 .debug_macro
/// groups and i386's PIC thunk, and hand-written groups (several members, a local or section-symbol signature, a
/// group without GRP_COMDAT). What ld does and the engine follows: bfd/elflink.c
/// <c>_bfd_elf_section_already_linked</c> (the first group of a signature wins, later ones go whole),
/// ld/ldlang.c <c>unique_section_p</c> (no script pattern but /DISCARD/ takes a group's sections; each becomes an
/// orphan output section of its own), bfd/elf.c <c>assign_section_numbers</c> (SHT_GROUP headers first),
/// <c>bfd_elf_set_group_contents</c> (members by output index, relocation tables with them) and
/// bfd/elflink.c <c>elf_link_input_bfd</c> (sh_info names the signature symbol), <c>setup_group</c> (bfd's section
/// order, which the map's discarded list shows) and <c>match_group_member</c> (debug relocations against a discarded
/// member move to the kept one). Equal is byte-identical output and the same map (ld run with --no-demangle: the
/// engine's map prints symbols as they are).
/// </summary>
[TestFixture]
public class SectionGroupLinkTests
{
    private const string Twice = "template<typename T> T twice(T x) { return x + x; }\ninline int shared_inline(int x) { static int counter; return x * 3 + counter++; }\n";
    private const string A = Twice + "int fa(int x) { return twice(x) + shared_inline(x); }\n";
    private const string B = Twice + "long fb(long x) { return twice(x) + twice((int)x) + shared_inline(1); }\n";
    private const string Box = "template<typename T> struct Box { static T shared; T get() const { return shared + v; } T v; };\n" +
                               "template<typename T> T Box<T>::shared = 7;\n" +
                               "inline const char *label() { static const char text[] = \"label text\"; return text; }\n" +
                               "struct Base { virtual int f() const { return 1; } virtual ~Base() {} };\n";
    private const string C = Box + "int use_c(int x) { Box<int> b{x}; Base base; return b.get() + label()[0] + base.f(); }\n";
    private const string D = Box + "long use_d(long x) { Box<long> b{x}; Box<int> c{(int)x}; Base base; return b.get() + c.get() + label()[1] + base.f(); }\n";

    /// <summary>A script that names .text, .rodata, .data and .bss: group members must still not go there.</summary>
    private const string NamingScript = "SECTIONS {\n  .text : { *(.text .text.*) }\n  .rodata : { *(.rodata .rodata.*) }\n  .data : { *(.data .data.*) }\n  .bss : { *(.bss .bss.*) }\n}\n";

    private static IEnumerable<TestCaseData> CppCases() =>
        from t in ClangObjectLinkTests.Targets
        from flags in new[] { "-O0", "-O2 -g -fno-inline" } // without inlining -O2 keeps the inline functions' groups
        select new TestCaseData(t.Target, t.Machine, flags).SetName($"CppGroups_{t.Target}_{flags.Replace(' ', '_')}");

    /// <summary>Four C++ objects with 4-14 groups each, duplicated across them, under the bundled module.lds and
    /// under a script that names the usual output sections.</summary>
    [TestCaseSource(nameof(CppCases))]
    public void CppObjects_LinkLikeTheArchitecturesOwnLd(string target, ElfMachine machine, string flags)
    {
        Tools.Require("clang++");
        LinkComparison.RequireLd(machine);
        var dir = Dir($"cpp-{target}{flags.Replace(' ', '_')}");
        var objects = Compile(dir, "clang++", [$"--target={target}", .. flags.Split(' ')], ("a.cpp", A), ("b.cpp", B), ("c.cpp", C), ("d.cpp", D));
        using (var a = ElfFile.Open(Path.Combine(dir, "d.o")))
        {
            a.Sections.Count(s => s.Type == ElfConstants.ShtGroup).Should().BeGreaterThan(10, "clang++ makes a group per inline function, template and vtable");
        }

        foreach (var script in new[] { "module.lds", "names.lds" })
        {
            var o = LinkComparison.Run(dir, script, objects, machine, tag: $"-{script}");
            TestContext.Out.WriteLine($"{target} {flags} {script}: {o.InputSections} input sections, {o.Sections} sections, {o.Symbols} symbols, {o.Relocations} relocations");
            o.LdOk.Should().BeTrue(o.LdError);
            o.Differences.Should().BeEmpty();
        }
    }

    private static readonly (string Cc, string Target, ElfMachine Machine)[] GccTargets =
    [
        ("gcc", "x86_64-linux-gnu", ElfMachine.X86_64),
        ("gcc -m32", "i686-linux-gnu", ElfMachine.I386),
        ("aarch64-linux-gnu-gcc", "aarch64-linux-gnu", ElfMachine.AArch64),
        ("arm-linux-gnueabihf-gcc", "arm-linux-gnueabihf", ElfMachine.Arm),
        ("powerpc64le-linux-gnu-gcc", "powerpc64le-linux-gnu", ElfMachine.Ppc64),
        ("s390x-linux-gnu-gcc", "s390x-linux-gnu", ElfMachine.S390),
        ("mips64el-linux-gnuabi64-gcc", "mips64el-linux-gnuabi64", ElfMachine.Mips),
    ];

    private static IEnumerable<TestCaseData> GccCases() =>
        GccTargets.Select(t => new TestCaseData(t.Cc, t.Target, t.Machine).SetName($"GccGroups_{t.Target}"));

    /// <summary>C with gcc -g3 (its .debug_macro groups, wm4.*, one per header, duplicated across files) and -fPIC
    /// (i386's __x86.get_pc_thunk group), by the gcc the kernel builds use on each architecture.</summary>
    [TestCaseSource(nameof(GccCases))]
    public void GccMacroAndThunkGroups_LinkLikeTheArchitecturesOwnLd(string cc, string target, ElfMachine machine)
    {
        var words = cc.Split(' ');
        Tools.Require(words[0]);
        LinkComparison.RequireLd(machine);
        var dir = Dir($"gcc-{target}");
        File.WriteAllText(Path.Combine(dir, "common.h"), "#define COMMON_VALUE 40\n");
        Compile(dir, words[0], [.. words.Skip(1), "-g3", "-O2"],
            ("m1.c", "#define ONE 1\n#include \"common.h\"\nint f1(void) { return COMMON_VALUE + ONE; }\n"),
            ("m2.c", "#define TWO 2\n#include \"common.h\"\nint f2(void) { return COMMON_VALUE + TWO; }\n"));
        Compile(dir, words[0], [.. words.Skip(1), "-fPIC", "-O2"], ("pic.c", "extern int ext; static int loc; int pg(void) { return ext + loc; }\n"));
        using (var m = ElfFile.Open(Path.Combine(dir, "m2.o")))
        {
            m.Sections.Count(s => s.Type == ElfConstants.ShtGroup).Should().BeGreaterThan(0, "-g3 puts .debug_macro in groups");
        }

        var o = LinkComparison.Run(dir, "module.lds", ["m1.o", "m2.o", "pic.o"], machine);
        o.LdOk.Should().BeTrue(o.LdError);
        o.Differences.Should().BeEmpty();
    }

    // Hand-written groups: five members of four kinds (code with a relocation table, data, read-only data, NOBITS),
    // a local signature, a group without GRP_COMDAT (kept twice), and a debug section that refers into the groups.
    private const string Groups = """
        	.text
        	.globl MAIN
        MAIN:	call shared_fn
        	ret
        	.section .text.shared_fn,"axG",@progbits,shared_fn,comdat
        	.weak shared_fn
        	.type shared_fn,@function
        shared_fn: movl shared_data(%rip), %eax
        	ret
        	.section .data.shared_fn,"awG",@progbits,shared_fn,comdat
        	.weak shared_data
        shared_data: .long 42
        	.section .rodata.shared_fn,"aG",@progbits,shared_fn,comdat
        	.string "ro"
        	.section .bss.shared_fn,"awG",@nobits,shared_fn,comdat
        	.zero 16
        	.section .text.local_sig,"axG",@progbits,local_sig,comdat
        local_sig:
        local_sig_fn: ret
        	.section .text.plain_group,"axG",@progbits,plain_sig
        	.globl PLAIN
        PLAIN: ret
        	.section .text.secsig,"axG",@progbits,.text.secsig,comdat
        	.weak secfn
        secfn:	ret
        	.section .debug_info,"",@progbits
        	.quad shared_fn
        	.quad local_sig_fn
        """;

    private static string Assemble(string dir, string name, string source) => SyntheticInputs.AssembleIn(dir, ElfMachine.X86_64, name, source);

    /// <summary>The second file's COMDAT groups go whole, its non-COMDAT group stays (a second .group of the same
    /// signature), and its debug relocations against discarded members move to the kept members.</summary>
    [Test]
    public void HandWrittenGroups_LinkLikeLd()
    {
        LinkComparison.RequireLd(ElfMachine.X86_64);
        var dir = Dir("gas");
        var g1 = Assemble(dir, "g1", Groups.Replace("MAIN", "main1").Replace("PLAIN", "plain1"));
        var g2 = Assemble(dir, "g2", Groups.Replace("MAIN", "main2").Replace("PLAIN", "plain2"));
        var o = LinkComparison.Run(dir, "module.lds", [g1, g2], ElfMachine.X86_64);
        o.LdOk.Should().BeTrue(o.LdError);
        o.Differences.Should().BeEmpty();

        using var out1 = ElfFile.Open(Path.Combine(dir, "our.o"));
        var groups = out1.Sections.Where(s => s.Type == ElfConstants.ShtGroup).ToList();
        groups.Should().HaveCount(5, "four groups of g1.o and g2.o's non-COMDAT one");
        groups.Select(g => g.Index).Should().Equal(1, 2, 3, 4, 5);
        out1.GetGroup(groups[0]).Members.Select(m => out1.Sections[m].Name).Should().Equal(
            ".text.shared_fn", ".rela.text.shared_fn", ".data.shared_fn", ".rodata.shared_fn", ".bss.shared_fn");
    }

    /// <summary>A reference from kept code into a discarded member is ld's error, worded as ld words it (bfd's %pA
    /// prints a member as name[signature]); so is a second strong definition in a non-COMDAT group.</summary>
    [Test]
    public void ReferencesIntoDiscardedMembers_AreLdsErrors()
    {
        var dir = Dir("gas-errors");
        var g1 = Assemble(dir, "g1", Groups.Replace("MAIN", "main1").Replace("PLAIN", "plain1"));
        var calls = Assemble(dir, "g3", Groups.Replace("MAIN:\tcall shared_fn", "MAIN:\tcall local_sig_fn").Replace("MAIN", "main3").Replace("PLAIN", "plain3"));
        var twice = Assemble(dir, "g4", Groups.Replace("MAIN", "main4").Replace("PLAIN", "plain1"));

        Refusal(dir, [g1, calls], LinkErrorIds.LinkDiscardedReference).OneLine.Should().Contain(
            "`local_sig_fn' referenced in section `.text' of g3.o: defined in discarded section `.text.local_sig[local_sig]' of g3.o");
        Refusal(dir, [g1, twice], LinkErrorIds.LinkMultipleDefinition).OneLine.Should().Contain(
            "multiple definition of `plain1'; g1.o:(.text.plain_group[plain_sig]+0x0): first defined here");
    }

    /// <summary>Groups bfd rejects are one ELF028 line naming the file, the group and the byte: a group entry size other
    /// than 4 (IS_VALID_GROUP_SECTION_HEADER), a group with no member ("has no SHF_GROUP sections"), a member in two
    /// groups, and an SHF_GROUP section no group lists.</summary>
    [Test]
    public void MalformedGroups_AreOneLine()
    {
        var dir = Dir("gas-malformed");
        var data = File.ReadAllBytes(Path.Combine(dir, Assemble(dir, "g1", Groups.Replace("MAIN", "main1").Replace("PLAIN", "plain1"))));
        var (h, sections) = ElfBytesPatch.Describe(data);
        var first = sections.First(s => s.Type == ElfConstants.ShtGroup);
        var second = sections.Where(s => s.Type == ElfConstants.ShtGroup).Skip(1).First();

        var entSize = (byte[])data.Clone();
        ElfBytesPatch.Put(entSize, (long)first.HeaderOffset + 56, 8, 8, h.IsBigEndian); // sh_entsize (ELF64)
        MalformedLink(entSize).OneLine.Should().Contain("'.group'").And.Contain("sh_entsize 8: expected 4");

        var empty = (byte[])data.Clone();
        ElfBytesPatch.Put(empty, (long)second.HeaderOffset + 32, 4, 8, h.IsBigEndian); // sh_size: the flag word alone
        MalformedLink(empty).OneLine.Should().Contain("has no member");

        var twice = (byte[])data.Clone();
        var localSigMember = (long)second.Offset + 4;
        var sharedMember = BitConverter.ToUInt32(data, (int)first.Offset + 4);
        ElfBytesPatch.Put(twice, localSigMember, sharedMember, 4, h.IsBigEndian);
        var e = MalformedLink(twice);
        e.OneLine.Should().Contain("is already a member of").And.Contain($"offset 0x{localSigMember:x}");

        var orphan = (byte[])data.Clone();
        var text = sections.First(s => s.Name == ".text");
        ElfBytesPatch.Put(orphan, (long)text.HeaderOffset + 8, ElfConstants.ShfAlloc | ElfConstants.ShfExecInstr | ElfConstants.ShfGroup, 8, h.IsBigEndian);
        MalformedLink(orphan).OneLine.Should().Contain("'.text'").And.Contain("no SHT_GROUP section lists it");
    }

    /// <summary><c>explain</c> says which group won and why, and that a kept group's sections are unique orphans.</summary>
    [Test]
    public void Explain_NamesTheKeptGroup()
    {
        var dir = Dir("gas-explain");
        var g1 = Assemble(dir, "g1", Groups.Replace("MAIN", "main1").Replace("PLAIN", "plain1"));
        var g2 = Assemble(dir, "g2", Groups.Replace("MAIN", "main2").Replace("PLAIN", "plain2"));
        var (code, text, err) = Tools.RunIn(dir, "dotnet", Path.Combine(TestContext.CurrentContext.TestDirectory, "DynDbg.ElfSim.dll"),
            "explain", "-T", "module.lds", g1, g2);
        code.Should().Be(0, err);
        text.Should().Contain("COMDAT group [shared_fn] was already linked from g1.o: ld keeps the first group of each signature and discards the others whole");
        text.Should().Contain("(a section group's: ld -r gives each its own, unique_section_p)");
    }

    private static DiagnosticException Refusal(string dir, string[] inputs, string id)
    {
        var files = inputs.Select(i => (i, ElfFile.Open(Path.Combine(dir, i)))).ToList();
        try
        {
            var act = () => Linker.Link(BundledScripts.Load(BundledScripts.Default), files).ToElf();
            var e = act.Should().Throw<DiagnosticException>().Which;
            e.Id.Should().Be(id);
            e.OneLine.Should().NotContain("\n");
            return e;
        }
        finally
        {
            files.ForEach(f => f.Item2.Dispose());
        }
    }

    private static DiagnosticException MalformedLink(byte[] data)
    {
        var e = MalformedLinkInputTests.Refusal(data, ErrorIds.BadGroup, "g1.o");
        e.OneLine.Should().StartWith("g1.o:");
        return e;
    }

    private static string Dir(string name)
    {
        var dir = Path.Combine(TestContext.CurrentContext.WorkDirectory, "section-groups", name);
        Directory.CreateDirectory(dir);
        File.Copy(Path.Combine(TestPaths.Root, "linker", "module.lds"), Path.Combine(dir, "module.lds"), true);
        File.WriteAllText(Path.Combine(dir, "names.lds"), NamingScript);
        return dir;
    }

    private static List<string> Compile(string dir, string compiler, string[] flags, params (string Name, string Text)[] sources)
    {
        foreach (var (name, text) in sources)
        {
            File.WriteAllText(Path.Combine(dir, name), text);
        }

        var (code, _, err) = Tools.RunIn(dir, compiler, [.. flags, "-c", .. sources.Select(s => s.Name)]);
        code.Should().Be(0, $"{compiler} {string.Join(' ', flags)}: {err}");
        return sources.Select(s => Path.ChangeExtension(s.Name, ".o")).ToList();
    }
}
