using DynDbg.ElfSim.Arch;
using DynDbg.ElfSim.Elf;
using DynDbg.ElfSim.Reports;
using static DynDbg.ElfSim.Tests.Linking.GnuPropertyMergeTests;

namespace DynDbg.ElfSim.Tests.Linking;

/// <summary>
/// <c>.note.gnu.property</c> on x86 in <c>ld -r</c>, against ld.bfd 2.40 for x86_64 and i686-linux-gnu-ld.bfd for
/// i386, compared as every differential test compares (readelf -S -s -r, every section's bytes, the map with ld's
/// "Merging program properties" block): the rules of bfd/elfxx-x86.c <c>_bfd_x86_elf_merge_gnu_properties</c> (AND,
/// OR and OR_AND ranges) and <c>_bfd_x86_elf_link_fixup_gnu_properties</c> (zero AND/OR properties dropped, LAM
/// bits off a 32-bit output), on hand-made notes and on what gcc <c>-fcf-protection</c> (Ubuntu's default) and gas
/// <c>-mx86-used-note=yes</c> write.
/// </summary>
[TestFixture]
public class X86GnuPropertyMergeTests
{
    private const uint Feature1And = X86GnuProperties.Feature1And;
    private const uint Isa1Needed = X86GnuProperties.Isa1Needed;
    private const uint Isa1Used = X86GnuProperties.Isa1Used;
    private const uint CompatIsa1Used = X86GnuProperties.CompatIsa1Used;
    private const uint CompatIsa1Needed = X86GnuProperties.CompatIsa1Needed;

    private static IEnumerable<TestCaseData> Cases()
    {
        foreach (var m in new[] { ElfMachine.X86_64, ElfMachine.I386 })
        {
            var tag = m == ElfMachine.X86_64 ? "x86_64" : "i386";
            // AND: the common bits; ld logs the update.
            yield return Case(m, $"{tag}_Feature1And_BothHaveIt_Anded", [[(Feature1And, [3])], [(Feature1And, [1])]],
                "Updated property 0xc0000002 (0x1) to merge a0.o (0x3) and a1.o (0x1)", true);
            // AND: an input without it drops it, and with nothing left the note.
            yield return Case(m, $"{tag}_Feature1And_OneLacksIt_Removed", [[(Feature1And, [3])], null],
                "Removed property 0xc0000002 to merge a0.o (0x3) and a1.o (not found)", false);
            // OR: every input's bits; a file without it leaves it alone; one only in a later file is added.
            yield return Case(m, $"{tag}_Isa1Needed_BothHaveIt_Ored", [[(Isa1Needed, [1])], [(Isa1Needed, [4])]],
                "Updated property 0xc0008002 (0x5) to merge a0.o (0x1) and a1.o (0x4)", true);
            yield return Case(m, $"{tag}_Isa1Needed_OneLacksIt_Kept", [[(Isa1Needed, [2])], null], null, true);
            yield return Case(m, $"{tag}_Isa1Needed_OnlyInTheSecond_Added", [[(Feature1And, [1])], [(Isa1Needed, [2])]],
                "Removed property 0xc0000002 to merge a0.o (0x1) and a1.o (not found)", true);
            // OR_AND: every input's bits, but an input without it drops it.
            yield return Case(m, $"{tag}_Isa1Used_BothHaveIt_Ored", [[(Isa1Used, [1])], [(Isa1Used, [4])]],
                "Updated property 0xc0010002 (0x5) to merge a0.o (0x1) and a1.o (0x4)", true);
            yield return Case(m, $"{tag}_Isa1Used_OneLacksIt_Removed", [[(Isa1Used, [1]), (Isa1Needed, [1])], null],
                "Removed property 0xc0010002 to merge a0.o (0x1) and a1.o (not found)", true);
            yield return Case(m, $"{tag}_CompatIsa_UsedGoesNeededStays", [[(CompatIsa1Used, [1]), (CompatIsa1Needed, [1])], [(CompatIsa1Needed, [2])]],
                "Removed property 0xc0000000 to merge a0.o (0x1) and a1.o (not found)", true);
            // _bfd_x86_elf_link_fixup_gnu_properties: AND and OR properties left at 0 go, OR_AND ones stay.
            yield return Case(m, $"{tag}_Fixup_ZeroAndAndOrDropped_ZeroUsedKept", [[(Feature1And, [0]), (Isa1Needed, [0]), (Isa1Used, [0])]], null, true);
            yield return Case(m, $"{tag}_Fixup_OnlyZeroAnd_NoteDiscarded", [[(Feature1And, [0])]], null, false);
            // LAM_U48 | LAM_U57 with IBT: kept on x86_64, taken off an i386 output.
            yield return Case(m, $"{tag}_Fixup_LamBits", [[(Feature1And, [0xd])]], null, true);
        }
    }

    private static TestCaseData Case(ElfMachine m, string name, (uint, uint[])[]?[] files, string? mapLine, bool noteLeft) =>
        new TestCaseData(m, files, mapLine, noteLeft).SetName("X86Property_" + name);

    [TestCaseSource(nameof(Cases))]
    public void HandMadeNotes_MergeAsX86Ld(ElfMachine machine, (uint, uint[])[]?[] files, string? mapLine, bool noteLeft)
    {
        LinkComparison.RequireLd(machine);
        var dir = CaseDir(TestContext.CurrentContext.Test.Name);
        var inputs = files.Select((p, i) => Object(dir, $"a{i}", p, machine)).ToArray();
        Compare(machine, dir, inputs);
        if (mapLine is not null)
        {
            Map(dir).Should().Contain(mapLine);
        }

        var note = Note(dir);
        (note is not null).Should().Be(noteLeft);
        if (TestContext.CurrentContext.Test.Name.EndsWith("LamBits", StringComparison.Ordinal))
        {
            var value = BitConverter.ToUInt32(note!, 16 + 8);
            value.Should().Be(machine == ElfMachine.X86_64 ? 0xdu : 0x1u);
        }
    }

    /// <summary>What compilers write: gcc's <c>-fcf-protection</c> (IBT and SHSTK; =branch, =return: one each), none
    /// without it, and gas's <c>-mx86-used-note=yes</c> ISA and feature "used" notes, in several mixes.</summary>
    [TestCase(ElfMachine.X86_64, new[] { "full", "branch" }, "IBT")]
    [TestCase(ElfMachine.X86_64, new[] { "full", "none" }, "")]
    [TestCase(ElfMachine.X86_64, new[] { "none", "full" }, "")]
    [TestCase(ElfMachine.X86_64, new[] { "used-avx2", "used-nop" }, "x86 ISA used")]
    [TestCase(ElfMachine.X86_64, new[] { "used-nop", "full", "used-avx2" }, "")]
    [TestCase(ElfMachine.X86_64, new[] { "full" }, "IBT, SHSTK")]
    [TestCase(ElfMachine.I386, new[] { "full", "return" }, "SHSTK")]
    [TestCase(ElfMachine.I386, new[] { "full", "used-nop" }, "")]
    public void CompilerNotes_MergeAsX86Ld(ElfMachine machine, string[] kinds, string properties)
    {
        LinkComparison.RequireLd(machine);
        Tools.Require("gcc");
        var dir = CaseDir($"cc-{machine}-{string.Join('-', kinds)}");
        var m32 = machine == ElfMachine.I386 ? "-m32" : "-m64";
        var inputs = kinds.Select((kind, i) =>
        {
            var name = $"k{i}";
            if (kind.StartsWith("used-", StringComparison.Ordinal))
            {
                var (asm, args, _) = SyntheticInputs.Assembler(machine);
                File.WriteAllText(Path.Combine(dir, name + ".s"), kind == "used-avx2" ? "vpaddd %ymm0, %ymm1, %ymm2\n" : "nop\n");
                var (c, _, e) = Tools.RunIn(dir, asm, [.. args, "-mx86-used-note=yes", "-o", name + ".o", name + ".s"]);
                c.Should().Be(0, e);
                return name + ".o";
            }

            File.WriteAllText(Path.Combine(dir, name + ".c"), $"int g{i}(int x) {{ return x * {i + 2}; }}\n");
            var cf = kind == "none" ? "-fcf-protection=none" : kind == "full" ? "-fcf-protection" : $"-fcf-protection={kind}";
            var (code, _, err) = Tools.RunIn(dir, "gcc", m32, "-O2", cf, "-c", "-o", name + ".o", name + ".c");
            code.Should().Be(0, err);
            return name + ".o";
        }).ToArray();
        Compare(machine, dir, inputs);
        var text = Tools.Run("readelf", "-n", Path.Combine(dir, "our.o")).Out;
        if (properties.Length == 0)
        {
            text.Should().NotContain("NT_GNU_PROPERTY_TYPE_0");
        }
        else
        {
            text.Should().Contain(properties);
        }
    }

    [Test]
    public void Explain_SaysWhichX86BitsWereKept()
    {
        LinkComparison.RequireLd(ElfMachine.X86_64);
        var dir = CaseDir("x86-explain");
        string[] inputs = [Object(dir, "a", [(Feature1And, [3])], ElfMachine.X86_64), Object(dir, "b", [(Feature1And, [1])], ElfMachine.X86_64)];
        var text = Link(dir, inputs, link =>
        {
            var w = new StringWriter();
            LinkExplainReport.Write(w, link, inputs, "module.lds");
            return w.ToString();
        });
        text.Should().Contain($"IBT kept, SHSTK dropped ({Path.Combine(dir, "b.o")} lacks it)");
    }
}
