using DynDbg.ElfSim.Diagnostics;
using DynDbg.ElfSim.Elf;
using DynDbg.ElfSim.Linking;
using DynDbg.ElfSim.Tests.Elf;

namespace DynDbg.ElfSim.Tests.Linking;

/// <summary>
/// A script whose /DISCARD/ takes part of a section group, against each architecture's own ld.bfd 2.40
/// (bfd/elf.c <c>_bfd_elf_fixup_group_sections</c>, run by ld -r before sizing): a discarded member leaves its .group
/// 4 bytes shorter (8 with its SHF_GROUP relocation table), and a .group left with its flag word alone is dropped (the
/// map shows it at size 0 with "(size before relaxing)"); a discarded .group leaves its members without SHF_GROUP; a
/// signature symbol defined in a discarded member is written absolute (bfd/elflink.c <c>elf_link_input_bfd</c>).
/// x86_64, i386 and ARM (REL), AArch64, and s390x (big-endian); equal is byte-identical output and the same map.
/// </summary>
[TestFixture]
public class PartialGroupDiscardTests
{
    // Three groups: hsig (COMDAT, three members, a local signature in the member with a relocation table), psig
    // (not COMDAT, a global in a member with a relocation table) and ksig (COMDAT, a global function signature).
    private const string Source = """
        	.text
        	.globl MAIN
        MAIN:	.long 5
        	.section .text.h,"axG",%progbits,hsig,comdat
        hsig:	.long ext
        	.section .data.h,"awG",%progbits,hsig,comdat
        	.long 6
        	.section .rodata.h,"aG",%progbits,hsig,comdat
        	.long 7
        	.section .text.p,"axG",%progbits,psig
        	.globl PFN
        PFN:	.long ext2
        	.section .data.p,"awG",%progbits,psig
        	.long 8
        	.section .text.k,"axG",%progbits,ksig,comdat
        	.globl ksig
        	.type ksig,%function
        ksig:	.long ext
        	.size ksig,4
        	.section .data.k,"awG",%progbits,ksig,comdat
        	.long 9
        """;

    private static readonly ElfMachine[] Machines = [ElfMachine.X86_64, ElfMachine.I386, ElfMachine.Arm, ElfMachine.AArch64, ElfMachine.S390];

    /// <summary>What each case discards: (a) one member of a three-member group, (b) every member but not the .group,
    /// (c) the .group sections, (d) members with relocation tables and a member defining a global signature.</summary>
    private static readonly (string Name, string Discard)[] Cases =
    [
        ("OneMember", "*(.rodata.h)"),
        ("MemberWithSignature", "*(.text.h)"),
        ("EveryMember", "*(.text.h) *(.data.h) *(.rodata.h) *(.text.p) *(.data.p)"),
        ("GroupSections", "*(.group)"),
        ("RelocatedMembers", "*(.text.p) *(.text.k)"),
        ("MembersOfSeveralGroups", "*(.data.h) *(.data.p) *(.data.k)"),
    ];

    private static IEnumerable<TestCaseData> AllCases() =>
        from m in Machines
        from c in Cases
        select new TestCaseData(m, c.Name, c.Discard).SetName($"PartialGroupDiscard_{m}_{c.Name}");

    /// <summary>Two files (the second's COMDAT groups are duplicates, discarded whole) under a script that discards
    /// part of the groups: the same sections, symbols, relocations, bytes and map as ld.</summary>
    [TestCaseSource(nameof(AllCases))]
    public void PartOfAGroup_LinksLikeLd(ElfMachine machine, string name, string discard)
    {
        LinkComparison.RequireLd(machine);
        var dir = Dir($"{machine}-{name}", discard);
        var inputs = new[] { Assemble(dir, machine, "p1", "main1", "pfn1"), Assemble(dir, machine, "p2", "main2", "pfn2") };
        var o = LinkComparison.Run(dir, "discard.lds", inputs, machine);
        o.LdOk.Should().BeTrue(o.LdError);
        o.Differences.Should().BeEmpty();

        using var ours = ElfFile.Open(Path.Combine(dir, "our.o"));
        var groups = ours.Sections.Where(s => s.Type == ElfConstants.ShtGroup).ToList();
        var grouped = ours.Sections.Where(s => (s.Flags & ElfConstants.ShfGroup) != 0).ToList();
        switch (name)
        {
            case "GroupSections":
                groups.Should().BeEmpty();
                grouped.Should().BeEmpty("_bfd_elf_fixup_group_sections clears SHF_GROUP when the .group is not output");
                break;
            case "EveryMember":
                groups.Should().ContainSingle("only ksig keeps a member; hsig and both psig groups shrink to their flag word and go");
                break;
            default:
                groups.Should().NotBeEmpty();
                foreach (var g in groups)
                {
                    var (_, members) = ours.GetGroup(g);
                    ((ulong)members.Length * 4 + 4).Should().Be(g.Size);
                    members.Select(i => ours.Sections[i].Name).Should().NotContain(n => discard.Contains($"({n})"));
                }

                break;
        }
    }

    private const string Cpp = "template<typename T> T twice(T x) { return x + x; }\n" +
                               "inline int shared_inline(int x) { static int counter; return x * 3 + counter++; }\n" +
                               "struct Base { virtual int f() const { return 1; } virtual ~Base() {} };\n" +
                               "int fa(int x) { Base b; return twice(x) + shared_inline(x) + b.f(); }\n";

    private static IEnumerable<TestCaseData> CppCases() =>
        from t in ClangObjectLinkTests.Targets
        from discard in new[] { "*(.group)", "*(.eh_frame) *(.ARM.exidx*) *(.ARM.extab*)" }
        select new TestCaseData(t.Target, t.Machine, discard).SetName($"PartialGroupDiscard_Cpp_{t.Target}_{(discard == "*(.group)" ? "GroupSections" : "UnwindTables")}");

    /// <summary>clang++ -O0 objects (inline functions, templates, vtables: a group each) under a script that discards
    /// the .group sections, or the unwind tables (on ARM the .ARM.exidx.* members of each group).</summary>
    [TestCaseSource(nameof(CppCases))]
    public void CppGroups_PartlyDiscarded_LinkLikeLd(string target, ElfMachine machine, string discard)
    {
        Tools.Require("clang++");
        LinkComparison.RequireLd(machine);
        var dir = Dir($"cpp-{target}-{discard.Length}", discard);
        File.WriteAllText(Path.Combine(dir, "a.cpp"), Cpp);
        var (code, _, err) = Tools.RunIn(dir, "clang++", $"--target={target}", "-O0", "-c", "a.cpp");
        code.Should().Be(0, err);
        var o = LinkComparison.Run(dir, "discard.lds", ["a.o"], machine);
        o.LdOk.Should().BeTrue(o.LdError);
        o.Differences.Should().BeEmpty();
    }

    /// <summary>A group whose signature is the section symbol of the member the script discards: ld 2.40 exits 1
    /// without a word (bfd/elflink.c <c>elf_link_input_bfd</c> finds no output section for it); the engine refuses in
    /// one LNK014 line naming the function.</summary>
    [Test]
    public void SectionSymbolSignatureOfADiscardedMember_IsRefusedAsLdFails()
    {
        LinkComparison.RequireLd(ElfMachine.X86_64);
        var (dir, obj) = X86Object("secsig", "*(.text.s)",
            "\t.section .text.s,\"axG\",%progbits,.text.s,comdat\n\t.long 8\n\t.section .data.s,\"awG\",%progbits,.text.s,comdat\n\t.long 9\n");
        var o = LinkComparison.Run(dir, "discard.lds", [obj], ElfMachine.X86_64);
        o.LdOk.Should().BeFalse();
        o.OursOk.Should().BeFalse();
        o.OurError.Should().Contain("LNK014").And.Contain("elf_link_input_bfd").And.NotContain("\n");
    }

    /// <summary>A relocation against the signature gas defines in a .group (psig, undefined in the source), once the
    /// script empties that group: the section is off bfd's list, and the engine refuses in one LNK014 line rather
    /// than guess what ld writes (a crafted input: gas never refers to that symbol).</summary>
    [Test]
    public void RelocationIntoAnEmptiedGroup_IsOneLine()
    {
        var (dir, obj) = X86Object("emptied", "*(.text.p) *(.data.p)");
        var data = File.ReadAllBytes(Path.Combine(dir, obj));
        uint psig;
        ulong relaOffset;
        using (var f = ElfFile.Open(Path.Combine(dir, obj)))
        {
            var symtab = f.SymbolTable!;
            psig = (uint)Enumerable.Range(0, symtab.Count).First(i => symtab.GetName(i) == "psig");
            f.Sections[(int)symtab[(int)psig].SectionIndex].Type.Should().Be(ElfConstants.ShtGroup, "gas defines an undefined local signature in its .group");
            relaOffset = f.Sections.First(x => x.Name == ".rela.text.k").Offset;
        }

        ElfBytesPatch.Put(data, (long)relaOffset + 12, psig, 4, bigEndian: false); // ELF64 r_info's symbol half
        File.WriteAllBytes(Path.Combine(dir, "crafted.o"), data);
        using var crafted = ElfFile.Open(Path.Combine(dir, "crafted.o"));
        var act = () => Linker.Link(ScriptParser.ParseFile(Path.Combine(dir, "discard.lds")), [("crafted.o", crafted)]).ToElf();
        var e = act.Should().Throw<DiagnosticException>().Which;
        e.Id.Should().Be(LinkErrorIds.LinkUnsupportedInput);
        e.OneLine.Should().Contain("a .group the script emptied").And.Contain("_bfd_elf_fixup_group_sections").And.NotContain("\n");
    }

    /// <summary><c>explain</c> says what ld did to a group the script discarded part of, and to members whose .group
    /// it discarded.</summary>
    [Test]
    public void Explain_SaysHowLdRepairedTheGroup()
    {
        var (dir, obj) = X86Object("explain", "*(.rodata.h) *(.text.p) *(.data.p)");
        var text = Explain(dir, obj);
        text.Should().Contain("the script discards part of this group: ld lists only the members it outputs (_bfd_elf_fixup_group_sections; 0x14 -> 0x10, a word less per discarded member and per SHF_GROUP relocation table)");
        text.Should().Contain("the script discards every member of this group: ld drops the .group (_bfd_elf_fixup_group_sections; 0x10 -> 0, SEC_EXCLUDE)");

        File.WriteAllText(Path.Combine(dir, "discard.lds"), Script("*(.group)"));
        Explain(dir, obj).Should().Contain("the script discards its group's .group [hsig]: .text.h is written without SHF_GROUP (_bfd_elf_fixup_group_sections)");
    }

    private static string Explain(string dir, string obj)
    {
        var (code, text, err) = Tools.RunIn(dir, "dotnet", Path.Combine(TestContext.CurrentContext.TestDirectory, "DynDbg.ElfSim.dll"),
            "explain", "-T", "discard.lds", obj);
        code.Should().Be(0, err);
        return text;
    }

    /// <summary>One x86_64 object of <see cref="Source"/> (and <paramref name="extra"/>) under a script discarding
    /// <paramref name="discard"/>.</summary>
    private static (string Dir, string Obj) X86Object(string name, string discard, string extra = "")
    {
        var dir = Dir(name, discard);
        return (dir, Assemble(dir, ElfMachine.X86_64, "p1", "main1", "pfn1", extra));
    }

    private static string Assemble(string dir, ElfMachine machine, string name, string main, string pfn, string extra = "")
    {
        var (asm, args, _) = SyntheticInputs.Assembler(machine);
        Tools.Require(asm);
        File.WriteAllText(Path.Combine(dir, name + ".s"), Source.Replace("MAIN", main).Replace("PFN", pfn) + "\n" + extra);
        var (code, _, err) = Tools.RunIn(dir, asm, [.. args, "-o", name + ".o", name + ".s"]);
        code.Should().Be(0, err);
        return name + ".o";
    }

    private static string Script(string discard) =>
        $"SECTIONS {{\n  .text : {{ *(.text) }}\n  .data : {{ *(.data) }}\n  /DISCARD/ : {{ {discard} }}\n}}\n";

    private static string Dir(string name, string discard)
    {
        var dir = Path.Combine(TestContext.CurrentContext.WorkDirectory, "partial-groups", name);
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "discard.lds"), Script(discard));
        return dir;
    }
}
