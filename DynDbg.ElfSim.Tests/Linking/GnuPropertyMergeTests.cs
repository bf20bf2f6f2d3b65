using System.Text;
using DynDbg.ElfSim.Diagnostics;
using DynDbg.ElfSim.Elf;
using DynDbg.ElfSim.Linking;
using DynDbg.ElfSim.Reports;

namespace DynDbg.ElfSim.Tests.Linking;

/// <summary>
/// <c>.note.gnu.property</c> in <c>ld -r</c>: small aarch64 objects (aarch64-linux-gnu-as) whose notes differ,
/// linked by aarch64-linux-gnu-ld.bfd and by the engine under module.lds and compared as every differential test
/// compares (readelf -S -s -r, every section's bytes, the map text with ld's "Merging program properties" block).
/// Each case names the bfd function whose rule it pins. The x86 rules are in <see cref="X86GnuPropertyMergeTests"/>,
/// which builds its objects here.
/// </summary>
[TestFixture]
public class GnuPropertyMergeTests
{
    private const uint Aarch64Feature1And = 0xc0000000;
    private const string Script = "module.lds";

    internal static string CaseDir(string name)
    {
        var dir = Path.Combine(TestContext.CurrentContext.WorkDirectory, "gnu-property", name);
        if (Directory.Exists(dir))
        {
            Directory.Delete(dir, true);
        }

        Directory.CreateDirectory(dir);
        File.Copy(Path.Combine(TestPaths.Root, "linker", Script), Path.Combine(dir, Script));
        return dir;
    }

    /// <summary>An object with a function, a word of data and, unless <paramref name="properties"/> is null, one
    /// GNU property note holding them in the order given (type, then 32-bit words of data; 8-byte aligned on ELF64,
    /// 4 on ELF32), assembled by the machine's own GNU as.</summary>
    internal static string Object(string dir, string name, (uint Type, uint[] Data)[]? properties, ElfMachine machine = ElfMachine.AArch64)
    {
        var (_, _, is64) = SyntheticInputs.Assembler(machine);
        var align = is64 ? 8 : 4;
        var p2 = is64 ? 3 : 2;
        var sb = new StringBuilder();
        sb.Append($".text\n.globl f_{name}\nf_{name}:\n  nop\n.data\n.long 1\n");
        if (properties is not null)
        {
            var desc = properties.Sum(p => 8 + ((p.Data.Length * 4 + align - 1) & ~(align - 1)));
            sb.Append($".section .note.gnu.property,\"a\"\n.p2align {p2}\n");
            sb.Append($".long 4, {desc}, 5\n.asciz \"GNU\"\n");
            foreach (var (type, data) in properties)
            {
                sb.Append($".long 0x{type:x}, {data.Length * 4}\n");
                foreach (var w in data)
                {
                    sb.Append($".long 0x{w:x}\n");
                }

                sb.Append($".p2align {p2}\n");
            }
        }

        return SyntheticInputs.AssembleIn(dir, machine, name, sb.ToString());
    }

    private static (uint, uint[])[] Feature(uint bits) => [(Aarch64Feature1And, [bits])];

    private static LinkComparison.Outcome Compare(string dir, params string[] inputs) => Compare(ElfMachine.AArch64, dir, inputs);

    internal static LinkComparison.Outcome Compare(ElfMachine machine, string dir, params string[] inputs)
    {
        var o = LinkComparison.Run(dir, Script, inputs, machine);
        foreach (var d in o.Differences)
        {
            TestContext.Out.WriteLine("  " + d);
        }

        o.LdOk.Should().BeTrue(o.LdError);
        o.OursOk.Should().BeTrue(o.OurError);
        o.Agrees.Should().BeTrue();
        o.ElfTextIdentical.Should().BeTrue();
        o.MapTextIdentical.Should().BeTrue();
        return o;
    }

    internal static string Map(string dir) => File.ReadAllText(Path.Combine(dir, "our.map"));

    internal static byte[]? Note(string dir)
    {
        using var f = ElfFile.Open(Path.Combine(dir, "our.o"));
        return f.FindSection(".note.gnu.property") is { } s ? f.GetContents(s).ToArray() : null;
    }

    [SetUp]
    public void RequireTools() => Tools.Require("aarch64-linux-gnu-ld.bfd", "aarch64-linux-gnu-as", "readelf");

    [Test]
    public void BothHaveTheNote_FeatureBitsAreAnded_Aarch64MergeGnuProperties()
    {
        // _bfd_aarch64_elf_merge_gnu_properties, APROP and BPROP both present: AND; ld logs the update.
        var dir = CaseDir("and");
        Compare(dir, Object(dir, "a", Feature(3)), Object(dir, "b", Feature(1)));
        Map(dir).Should().Contain("Updated property 0xc0000000 (0x1) to merge a.o (0x3) and b.o (0x1)");
        Note(dir).Should().NotBeNull();
    }

    [Test]
    public void OneInputLacksTheNote_PropertyIsDropped_Aarch64MergeGnuProperties()
    {
        // _bfd_aarch64_elf_merge_gnu_properties with BPROP NULL: the property is removed, and with it the kept note.
        var dir = CaseDir("missing");
        Compare(dir, Object(dir, "a", Feature(3)), Object(dir, "c", null));
        Map(dir).Should().Contain("Removed property 0xc0000000 to merge a.o (0x3) and c.o (not found)");
        Note(dir).Should().BeNull();
    }

    [Test]
    public void FirstInputLacksTheNote_TheFirstWithPropertiesKeepsIt_BfdElfLinkSetupGnuProperties()
    {
        // _bfd_elf_link_setup_gnu_properties: first_pbfd is the first input with properties, not the first input.
        var dir = CaseDir("first-lacks");
        Compare(dir, Object(dir, "c", null), Object(dir, "a", Feature(1)), Object(dir, "b", Feature(3)));
        Map(dir).Should().Contain("Removed property 0xc0000000 to merge a.o (0x1) and c.o (not found)");
    }

    [Test]
    public void DisjointBits_NothingLeft_EveryNoteDiscarded_BfdElfLinkSetupGnuProperties()
    {
        // BTI in one, PAC in the other: the AND is 0, the property goes, and since the list is empty
        // _bfd_elf_link_setup_gnu_properties discards first_pbfd's note too (both in the map's discarded list).
        var dir = CaseDir("disjoint");
        Compare(dir, Object(dir, "b", Feature(1)), Object(dir, "d", Feature(2)));
        Map(dir).Should().Contain("Removed property 0xc0000000 to merge b.o (0x1) and d.o (0x2)");
        Note(dir).Should().BeNull();
    }

    [Test]
    public void RemovedThenSeenAgain_LogsNotFound_ElfMergeGnuPropertyList()
    {
        // elf_merge_gnu_property_list's second loop: a property only in the later input, already removed from
        // first_pbfd, is reported "(not found)" on first_pbfd's side.
        var dir = CaseDir("removed-then-seen");
        Compare(dir, Object(dir, "a", Feature(3)), Object(dir, "c", null), Object(dir, "b", Feature(1)));
        Map(dir).Should().Contain("Removed property 0xc0000000 to merge a.o (not found) and b.o (0x1)");
    }

    [Test]
    public void SingleInput_NoteRewritten_ElfWriteGnuProperties()
    {
        // A lone input still goes through the merge: ld prints the block and rewrites the note.
        var dir = CaseDir("single");
        Compare(dir, Object(dir, "a", Feature(3)));
        Map(dir).Should().StartWith("\nMerging program properties\n\n\nMemory Configuration");
    }

    [Test]
    public void UnsortedDuplicateAndGenericProperties_SortedCombinedAndResized_BfdElfParseGnuProperties()
    {
        // _bfd_elf_parse_gnu_properties keeps the list sorted by type and ORs a repeated FEATURE_1_AND; the generic
        // elf_merge_gnu_properties ORs the UINT32_OR range and ANDs the UINT32_AND range (dropping it where an input
        // lacks it) and keeps the larger GNU_PROPERTY_STACK_SIZE; elf_get_gnu_property_section_size sizes the result.
        var dir = CaseDir("generic");
        var a = Object(dir, "a", [(Aarch64Feature1And, [1]), (0xb0008001, [4]), (0xb0000001, [7]), (1, [0x100, 0]), (Aarch64Feature1And, [2])]);
        var b = Object(dir, "b", [(0xb0008001, [8]), (Aarch64Feature1And, [3]), (1, [0x200, 0])]);
        Compare(dir, a, b);
        var note = Note(dir)!;
        note.Length.Should().Be(16 + 16 + 16 + 16, "STACK_SIZE, OR and FEATURE_1_AND are left, each 8 + 8 bytes");
    }

    [Test]
    public void Explain_SaysWhichBitsWereKeptAndWhy()
    {
        var dir = CaseDir("explain");
        string[] inputs = [Object(dir, "a", Feature(3)), Object(dir, "b", Feature(1))];
        var text = Link(dir, inputs, link =>
        {
            var w = new StringWriter();
            LinkExplainReport.Write(w, link, inputs, Script);
            return w.ToString();
        });
        var a = Path.Combine(dir, "a.o");
        text.Should().Contain($"property notes merged into {a}'s .note.gnu.property: BTI kept, PAC dropped ({Path.Combine(dir, "b.o")} lacks it)");
        text.Should().Contain($"GNU properties merged into {a}'s .note.gnu.property");
    }

    [Test]
    public void UnsupportedPropertyType_IsRefusedInOneLine()
    {
        // _bfd_aarch64_elf_parse_gnu_properties ignores other processor types; ld warns and drops them. Not emulated.
        var dir = CaseDir("unsupported");
        var a = Object(dir, "a", [(0xc0000001, [1])]);
        var act = () => LinkOnly(dir, a);
        act.Should().Throw<DiagnosticException>().Which.OneLine.Should()
            .Contain("LNK014").And.Contain("GNU property type 0xc0000001").And.NotContain("\n");
    }

    internal static T Link<T>(string dir, string[] inputs, Func<LinkResult, T> use) =>
        Linker.WithLink(inputs.Select(i => Path.Combine(dir, i)).ToList(), Path.Combine(dir, Script), new LinkOptions("out.o"), use);

    private static void LinkOnly(string dir, params string[] inputs) => Link(dir, inputs, _ => 0);
}
