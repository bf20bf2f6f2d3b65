using DynDbg.ElfSim.Elf;

namespace DynDbg.ElfSim.Tests.Linking;

/// <summary>
/// <c>.riscv.attributes</c> and e_flags that differ between inputs, against riscv64-linux-gnu-ld.bfd 2.40 under
/// module.lds, compared as every differential test compares (verdict, readelf -S -s -r, every section's bytes, the
/// map). Each case names the bfd function whose rule it pins; objects come from riscv64-linux-gnu-as with -march,
/// -mabi and <c>.attribute</c> directives (gas writes the arch string normalised), or from clang, whose arch strings
/// are not.
/// </summary>
[TestFixture]
public class RiscvAttributeMergeTests
{
    private const string Script = "module.lds";

    /// <summary>(name, -march, -mabi, directives) per input, in link order; ldFails: ld 2.40 fails (an error or a crash).</summary>
    private static IEnumerable<TestCaseData> Cases()
    {
        TestCaseData C(string name, bool ldFails, params (string March, string Mabi, string Directives)[] inputs) =>
            new TestCaseData(inputs, ldFails).SetName("RiscvAttributes_" + name);

        // riscv_merge_arch_attr_info / riscv_merge_std_ext: the union of the single-letter extensions, canonical order
        yield return C("Arch_StdUnion_riscv_merge_std_ext", false, ("rv64imac", "lp64", ""), ("rv64gc", "lp64", ""));
        yield return C("Arch_StdUnion_Reversed_riscv_merge_std_ext", false, ("rv64gc", "lp64", ""), ("rv64ima", "lp64", ""));
        // riscv_merge_multi_letter_ext: z, s, x extensions merged in riscv_compare_subsets order
        yield return C("Arch_Prefixed_riscv_merge_multi_letter_ext", false,
            ("rv64imac_zba_zbs", "lp64", ""), ("rv64imac_zicsr_zifencei_zbb", "lp64", ""),
            ("rv64ima", "lp64", ".attribute arch, \"rv64i2p0_m2p0_a2p0_zihintpause2p0_svinval1p0_xfoo2p0\""));
        // riscv_version_mismatch: a warning, the newer version kept
        yield return C("Arch_VersionMismatch_riscv_version_mismatch", false,
            ("rv64ima", "lp64", ".attribute arch, \"rv64i2p1_m2p0_zicsr2p0\""), ("rv64ima", "lp64", ".attribute arch, \"rv64i2p0_m2p0_a2p1_zicsr2p0\""));
        // only some inputs say anything: an input without the attribute leaves the output's
        yield return C("Arch_OneWithout_riscv_merge_attributes", false,
            ("rv64imac", "lp64", ".attribute stack_align, 16"), ("rv64imac", "lp64", ".attribute arch, \"rv64i2p0_m2p0_a2p0_c2p0_zba1p0\""));

        // Tag_RISCV_priv_spec*: an output without a known version takes the input's; two known ones keep the newer
        const string P111 = ".attribute priv_spec, 1\n.attribute priv_spec_minor, 11";
        const string P112 = ".attribute priv_spec, 1\n.attribute priv_spec_minor, 12";
        const string P191 = ".attribute priv_spec, 1\n.attribute priv_spec_minor, 9\n.attribute priv_spec_revision, 1";
        yield return C("Priv_NewerKept_riscv_merge_attributes", false, ("rv64gc", "lp64d", P111), ("rv64gc", "lp64d", P112));
        yield return C("Priv_NewerFirst_riscv_merge_attributes", false, ("rv64gc", "lp64d", P112), ("rv64gc", "lp64d", P111));
        yield return C("Priv_Old191_riscv_merge_attributes", false, ("rv64gc", "lp64d", P111), ("rv64gc", "lp64d", P191));
        yield return C("Priv_OutputNone_riscv_merge_attributes", false, ("rv64gc", "lp64d", ""), ("rv64gc", "lp64d", P111));
        yield return C("Priv_ThreeInputs_riscv_get_priv_spec_class_from_numbers", false,
            ("rv64gc", "lp64d", ".attribute priv_spec, 1\n.attribute priv_spec_minor, 10"), ("rv64gc", "lp64d", ""), ("rv64gc", "lp64d", P111));

        // Tag_RISCV_unaligned_access: or-ed; Tag_RISCV_stack_align: the first non-zero, a different one is an error
        yield return C("Unaligned_Or_riscv_merge_attributes", false, ("rv64gc", "lp64d", ""), ("rv64gc", "lp64d", ".attribute unaligned_access, 1"));
        yield return C("StackAlign_FirstNonZero_riscv_merge_attributes", false,
            ("rv64gc", "lp64d", ""), ("rv64gc", "lp64d", ".attribute stack_align, 8"), ("rv64gc", "lp64d", ".attribute stack_align, 8"));
        yield return C("StackAlign_Differ_Error_riscv_merge_attributes", true,
            ("rv64gc", "lp64d", ".attribute stack_align, 8"), ("rv64gc", "lp64d", ".attribute stack_align, 16"));

        // unknown tags: RISC-V 2.40 has no obj_attrs_handle_unknown, so ld crashes on a set one
        yield return C("UnknownLow_Crash__bfd_elf_merge_unknown_attribute_low", true, ("rv64gc", "lp64d", ".attribute 14, 3"), ("rv64gc", "lp64d", ""));
        yield return C("UnknownList_Crash__bfd_elf_merge_unknown_attribute_list", true,
            ("rv64gc", "lp64d", ".attribute 100, 3"), ("rv64gc", "lp64d", ".attribute 102, 3"));
        yield return C("Compatibility_Crash__bfd_elf_merge_object_attributes", true, ("rv64gc", "lp64d", ""), ("rv64gc", "lp64d", ".attribute 32, 1"));

        // _bfd_riscv_elf_merge_private_bfd_data: float ABIs must match, RVC and TSO are or-ed
        yield return C("Flags_FloatAbi_Error__bfd_riscv_elf_merge_private_bfd_data", true, ("rv64gc", "lp64d", ""), ("rv64imac", "lp64", ""));
        yield return C("Flags_RvcOr__bfd_riscv_elf_merge_private_bfd_data", false, ("rv64ima", "lp64", ""), ("rv64imac", "lp64", ""));
        yield return C("Flags_TsoOr__bfd_riscv_elf_merge_private_bfd_data", false, ("rv64gc", "lp64d", ""), ("rv64gc_ztso", "lp64d", ""));
    }

    [TestCaseSource(nameof(Cases))]
    public void DifferingAttributes_LinkLikeLd((string March, string Mabi, string Directives)[] inputs, bool ldFails)
    {
        LinkComparison.RequireLd(ElfMachine.RiscV);
        var dir = GnuPropertyMergeTests.CaseDir("riscv-" + TestContext.CurrentContext.Test.Name);
        var names = new List<string>();
        for (var k = 0; k < inputs.Length; k++)
        {
            var (march, mabi, directives) = inputs[k];
            names.Add(Assemble(dir, $"in{k}", march, mabi, $"{directives}\n.text\n.globl f{k}\nf{k}:\n  nop\n.data\n.long {k}\n"));
        }

        Check(dir, names, ldFails);
    }

    /// <summary>clang 14 writes versions for every extension but none it implies (zmmul, zicsr): ld adds those
    /// without a version, so riscv_arch_str leaves them out unless another input names them.</summary>
    [TestCase("rv64imafd", "rv64im", false, TestName = "RiscvAttributes_Clang_ImpliedLeftOut")]
    [TestCase("rv64imafd", "rv64imafd", true, TestName = "RiscvAttributes_ClangThenGas_GasVersionsKept")]
    [TestCase("rv64ima", "rv64imac", true, TestName = "RiscvAttributes_ClangThenGas_RvcOr")]
    public void ClangObjects_LinkLikeLd(string clangArch, string otherArch, bool otherByGas)
    {
        LinkComparison.RequireLd(ElfMachine.RiscV);
        Tools.Require("clang");
        var dir = GnuPropertyMergeTests.CaseDir("riscv-" + TestContext.CurrentContext.Test.Name);
        var names = new List<string> { Clang(dir, "c0", clangArch) };
        names.Add(otherByGas ? Assemble(dir, "g1", otherArch, "lp64", ".text\n.globl g\ng:\n  nop\n") : Clang(dir, "c1", otherArch));
        Check(dir, names, false);
    }

    /// <summary>explain says which inputs differed, in which tags, and what the merge wrote (checked against ld above:
    /// RiscvAttributes_Unaligned_Or_riscv_merge_attributes and RiscvAttributes_Arch_StdUnion_riscv_merge_std_ext).</summary>
    [Test]
    public void Explain_SaysWhichTagsDifferedAndWhatWasMerged()
    {
        Tools.Require("riscv64-linux-gnu-as");
        var dir = GnuPropertyMergeTests.CaseDir("riscv-explain");
        string[] names =
        [
            Path.Combine(dir, Assemble(dir, "a", "rv64imac", "lp64", ".text\nnop\n")),
            Path.Combine(dir, Assemble(dir, "b", "rv64gc", "lp64", ".attribute unaligned_access, 1\n.text\nnop\n")),
        ];
        var text = GnuPropertyMergeTests.Link(dir, names, link =>
        {
            var w = new StringWriter();
            global::DynDbg.ElfSim.Reports.LinkExplainReport.Write(w, link, names, Script);
            return w.ToString();
        });
        text.Should().Contain(".riscv.attributes: the inputs' build attributes differ; merged as ld does (riscv_merge_attributes), in load order");
        text.Should().Contain($"  {names[1]}: Tag_RISCV_arch \"rv64i2p0_m2p0_a2p0_f2p0_d2p0_c2p0_zmmul1p0\" against \"rv64i2p0_m2p0_a2p0_c2p0_zmmul1p0\", Tag_RISCV_unaligned_access 1 against not set");
        text.Should().Contain("  output: Tag_RISCV_arch \"rv64i2p0_m2p0_a2p0_f2p0_d2p0_c2p0_zmmul1p0\", Tag_RISCV_unaligned_access 1");
    }

    private static void Check(string dir, List<string> names, bool ldFails) =>
        LinkComparison.Run(dir, Script, names, ElfMachine.RiscV).ShouldMatchLd(ldFails);

    private static string Assemble(string dir, string name, string march, string mabi, string source)
    {
        File.WriteAllText(Path.Combine(dir, name + ".s"), source);
        var (code, _, err) = Tools.RunIn(dir, "riscv64-linux-gnu-as", $"-march={march}", $"-mabi={mabi}", "-o", name + ".o", name + ".s");
        code.Should().Be(0, err);
        return name + ".o";
    }

    private static string Clang(string dir, string name, string march)
    {
        File.WriteAllText(Path.Combine(dir, name + ".c"), $"int {name}(int a) {{ return a * 3; }}\n");
        var (code, _, err) = Tools.RunIn(dir, "clang", "--target=riscv64-linux-gnu", $"-march={march}", "-mabi=lp64", "-O2", "-c",
            "-o", name + ".o", name + ".c");
        code.Should().Be(0, err);
        return name + ".o";
    }
}
