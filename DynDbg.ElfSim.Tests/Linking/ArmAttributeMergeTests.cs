using DynDbg.ElfSim.Elf;

namespace DynDbg.ElfSim.Tests.Linking;

/// <summary>
/// <c>.ARM.attributes</c> that differ between inputs, against arm-linux-gnueabihf-ld.bfd 2.40 under module.lds
/// (elf32-arm.c <c>elf32_arm_merge_eabi_attributes</c>), compared as every differential test compares. Objects come
/// from arm-linux-gnueabihf-as with <c>.eabi_attribute</c> directives, and from clang 14 with -O2/-Os and
/// -mno-unaligned-access. A tag whose rule is not emulated is refused by name (LNK014), which the last cases pin.
/// </summary>
[TestFixture]
public class ArmAttributeMergeTests
{
    private const string Script = "module.lds";

    private static IEnumerable<TestCaseData> Cases()
    {
        TestCaseData C(string name, bool ldFails, params string[] directives) =>
            new TestCaseData(directives, ldFails).SetName("ArmAttributes_" + name);

        // "Use the largest value specified", in both orders and from an unset output
        foreach (var (tag, name) in new[]
        {
            (8, "ARM_ISA_use"), (9, "THUMB_ISA_use"), (11, "WMMX_arch"), (12, "Advanced_SIMD_arch"), (19, "ABI_FP_rounding"),
            (21, "ABI_FP_exceptions"), (22, "ABI_FP_user_exceptions"), (23, "ABI_FP_number_model"), (34, "CPU_unaligned_access"),
            (36, "FP_HP_extension"), (42, "MPextension_use"), (48, "MVE_arch"), (50, "PAC_extension"), (52, "BTI_extension"),
            (66, "T2EE_use"), (74, "BTI_use"), (76, "PACRET_use"),
        })
        {
            yield return C($"Largest_{name}", false, $".eabi_attribute {tag}, 1", $".eabi_attribute {tag}, 2", "", $".eabi_attribute {tag}, 1");
        }

        yield return C("Largest_THUMB_ISA_use_3", false, ".eabi_attribute 9, 3", ".eabi_attribute 9, 2");
        // Tag_ABI_optimization_goals, Tag_ABI_FP_optimization_goals: the first value seen
        yield return C("First_ABI_optimization_goals", false, ".eabi_attribute 30, 2", ".eabi_attribute 30, 4", "");
        yield return C("First_ABI_optimization_goals_Unset", false, "", ".eabi_attribute 30, 4");
        yield return C("First_ABI_FP_optimization_goals", false, ".eabi_attribute 31, 1", ".eabi_attribute 31, 2");
        // Tag_PCS_config, Tag_ABI_PCS_wchar_t: an unset output takes the input's, two values warn and keep the first
        yield return C("Warn_PCS_config", false, "", ".eabi_attribute 13, 2", ".eabi_attribute 13, 1");
        yield return C("Warn_ABI_PCS_wchar_t", false, "", ".eabi_attribute 18, 4", ".eabi_attribute 18, 2");
        // Tag_ABI_enum_size: unused and forced-wide outputs take the input's; others warn
        yield return C("EnumSize_FromForcedWide", false, ".eabi_attribute 26, 3", ".eabi_attribute 26, 1", ".eabi_attribute 26, 2");
        yield return C("EnumSize_ForcedWideInput", false, ".eabi_attribute 26, 2", ".eabi_attribute 26, 3", "");
        // Tag_ABI_FP_16bit_format: an unset output takes it, two formats are an error; Tag_ABI_WMMX_args must match
        yield return C("FP16Format_Unset", false, "", ".eabi_attribute 38, 2");
        yield return C("FP16Format_Error", true, ".eabi_attribute 38, 1", ".eabi_attribute 38, 2");
        yield return C("WMMXArgs_Error", true, ".eabi_attribute 29, 1", "");
    }

    [TestCaseSource(nameof(Cases))]
    public void DifferingAttributes_LinkLikeLd(string[] directives, bool ldFails)
    {
        LinkComparison.RequireLd(ElfMachine.Arm);
        var dir = GnuPropertyMergeTests.CaseDir("arm-" + TestContext.CurrentContext.Test.Name);
        var names = directives.Select((d, k) => SyntheticInputs.AssembleIn(dir, ElfMachine.Arm, $"in{k}",
            $"{d}\n.text\n.globl f{k}\nf{k}:\n  nop\n.data\n.long {k}\n")).ToList();
        Check(dir, names, ldFails);
    }

    /// <summary>The merge follows ld's load order (a file the script names is opened first), and runs (with its
    /// errors) when the script puts the attributes in another output section.</summary>
    [TestCase("SECTIONS { .text : { in1.o(.text) *(.text) } }", false, TestName = "ArmAttributes_ScriptNamedFileMergesFirst")]
    [TestCase("SECTIONS { .data : { *(.data .ARM.attributes) } }", true, TestName = "ArmAttributes_MergedWhenPlacedElsewhere_Error")]
    [TestCase("SECTIONS { .data : { *(.data .ARM.attributes) } }", false, TestName = "ArmAttributes_MergedWhenPlacedElsewhere")]
    public void MergeOrderAndPlacement_LikeLd(string script, bool fp16Clash)
    {
        LinkComparison.RequireLd(ElfMachine.Arm);
        var dir = GnuPropertyMergeTests.CaseDir("arm-" + TestContext.CurrentContext.Test.Name);
        File.WriteAllText(Path.Combine(dir, "s.lds"), script);
        string[] directives = [".eabi_attribute 30, 2\n.eabi_attribute 38, 1", fp16Clash ? ".eabi_attribute 38, 2" : ".eabi_attribute 30, 4"];
        var names = directives.Select((d, k) => SyntheticInputs.AssembleIn(dir, ElfMachine.Arm, $"in{k}",
            $"{d}\n.text\n.globl f{k}\nf{k}:\n  nop\n.data\n.long {k}\n")).ToList();
        var o = LinkComparison.Run(dir, "s.lds", names, ElfMachine.Arm);
        foreach (var d in o.Differences)
        {
            TestContext.Out.WriteLine("  " + d);
        }

        o.LdOk.Should().Be(!fp16Clash, o.LdError);
        o.Agrees.Should().BeTrue();
    }

    /// <summary>clang 14 objects built with different flags: -O2 against -Os (Tag_ABI_optimization_goals), and
    /// -mno-unaligned-access (Tag_CPU_unaligned_access).</summary>
    [TestCase("-O2", "-Os", TestName = "ArmAttributes_Clang_O2_Os")]
    [TestCase("-Os", "-O2", TestName = "ArmAttributes_Clang_Os_O2")]
    [TestCase("-O2", "-O2 -mno-unaligned-access", TestName = "ArmAttributes_Clang_NoUnalignedAccess")]
    public void ClangObjects_LinkLikeLd(string first, string second)
    {
        LinkComparison.RequireLd(ElfMachine.Arm);
        Tools.Require("clang");
        var dir = GnuPropertyMergeTests.CaseDir("arm-" + TestContext.CurrentContext.Test.Name);
        Check(dir, [Clang(dir, "c0", first), Clang(dir, "c1", second)], false);
    }

    /// <summary>A differing tag whose rule is not emulated (Tag_FP_arch from -mfpu, Tag_CPU_arch from .cpu): ld links,
    /// the engine refuses in one line naming the tag and elf32_arm_merge_eabi_attributes.</summary>
    [TestCase(".fpu vfpv3-d16", ".fpu neon", "Tag_FP_arch", TestName = "ArmAttributes_Refused_FP_arch")]
    [TestCase(".cpu cortex-a7", ".cpu cortex-a15", "Tag_CPU_name", TestName = "ArmAttributes_Refused_CPU_name")]
    public void UnemulatedTag_IsRefusedByName(string a, string b, string tag)
    {
        LinkComparison.RequireLd(ElfMachine.Arm);
        var dir = GnuPropertyMergeTests.CaseDir("arm-" + TestContext.CurrentContext.Test.Name);
        var names = new[] { a, b }.Select((d, k) => SyntheticInputs.AssembleIn(dir, ElfMachine.Arm, $"in{k}",
            $"{d}\n.text\n.globl f{k}\nf{k}:\n  nop\n")).ToList();
        var o = LinkComparison.Run(dir, Script, names, ElfMachine.Arm);
        o.LdOk.Should().BeTrue(o.LdError);
        o.OursOk.Should().BeFalse();
        o.OurError.Should().Contain("LNK014").And.Contain(tag).And.Contain("elf32_arm_merge_eabi_attributes");
    }

    private static void Check(string dir, List<string> names, bool ldFails) =>
        LinkComparison.Run(dir, Script, names, ElfMachine.Arm).ShouldMatchLd(ldFails);

    private static string Clang(string dir, string name, string flags)
    {
        File.WriteAllText(Path.Combine(dir, name + ".c"), $"int {name}(int a) {{ return a * 3; }}\n");
        var (code, _, err) = Tools.RunIn(dir, "clang", ["--target=armv7a-linux-gnueabihf", .. flags.Split(' '), "-c", "-o", name + ".o", name + ".c"]);
        code.Should().Be(0, err);
        return name + ".o";
    }
}
