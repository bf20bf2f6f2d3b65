using System.Xml.Linq;
using DynDbg.ElfSim.Checks;
using DynDbg.ElfSim.Cli;
using DynDbg.ElfSim.DynDbg;
using DynDbg.ElfSim.Elf;
using DynDbg.ElfSim.Tests.Cli;
using DynDbg.ElfSim.Tests.Elf;

namespace DynDbg.ElfSim.Tests.Checks;

/// <summary>
/// The diet checks on the diet samples (built with a replica of the v5/v6 macros and linked by GNU ld or ld.lld
/// with linker/module.lds): each profile keeps the invariants it is meant to keep and shows exactly its hazards.
/// </summary>
[TestFixture]
public class DietCheckTests
{
    private static string Diet(string arch, string variant, string file) => TestPaths.Sample(arch, Path.Combine("diet", variant, file));

    private static (DietImage Image, IReadOnlyList<CheckFinding> Findings) Check(string path, DietVariant? forced = null)
    {
        using var f = ElfFile.Open(path);
        var img = DietImage.Load(f, forced)!;
        return (img, DietChecks.Run(img));
    }

    private static IEnumerable<TestCaseData> GnuLinked() =>
        from arch in new[] { "x86_64", "i386", "s390x" }
        from v in new[] { "v5", "v5-nosite", "v6" }
        from m in new[] { "alpha", "beta", "gamma", "epsilon", "zeta" }
        select new TestCaseData(arch, v, m).SetName($"GnuLinked_{arch}_{v}_{m}");

    [TestCaseSource(nameof(GnuLinked))]
    public void GnuLinkedModule_KeepsItsInvariants_AndShowsItsHazards(string arch, string variant, string module)
    {
        var (img, findings) = Check(Diet(arch, variant, module + ".ko"));
        var l = img.Layout;
        DietLayout.VariantName(l.Variant).Should().Be(variant);
        findings.Where(x => x.Severity == CheckSeverity.Error).Should().BeEmpty();
        var expected = new List<string>();
        if (variant != "v5")
        {
            expected.Add(CheckIds.IndexOverlapsFormat); // §7.1, every layout without the site pointer
        }

        if (variant != "v5" && l.PointerSize == 8 && !l.JumpLabel)
        {
            expected.Add(CheckIds.UnionSize); // §7.2, LP64 with JUMP_LABEL=n (gamma)
        }

        findings.Select(x => x.Id).Should().BeEquivalentTo(expected);
        img.Elements.Should().HaveCount(img.SiteRecords.Count);
        img.SiteRecords[0].ModnameText.Should().Be(module);
        if (!expected.Contains(CheckIds.UnionSize))
        {
            // With the union hazard, element 1 starts inside the header: its fields are whatever bytes are there.
            img.Elements.Skip(1).All(e => e.LineNo > 0 && e.FormatText != null).Should().BeTrue();
        }
    }

    [TestCase("aarch64")]
    [TestCase("armhf")]
    [TestCase("ppc64le")]
    [TestCase("mips64el")]
    [TestCase("riscv64")]
    public void LldKeepsEveryLinkonceCopy_SoTwoObjectModulesHaveTwoHeaders(string arch)
    {
        var (_, v5) = Check(Diet(arch, "v5", "alpha.ko"));
        v5.Where(x => x.Severity == CheckSeverity.Error).Select(x => x.Id).Should().BeEquivalentTo([CheckIds.ExtraHeader, CheckIds.SitePointer]);
        v5.Single(x => x.Id == CheckIds.ExtraHeader).Message.Should().StartWith("2 header pairs, at elements 0, 1");
        v5.Single(x => x.Id == CheckIds.SitePointer).Message.Should().StartWith("desc[1].site is &sites[0], not &sites[1]");
        var (_, single) = Check(Diet(arch, "v5", "gamma.ko"));
        single.Should().BeEmpty("a one-object module has one header even with lld");
    }

    [Test]
    public void ModuleLinkedWithoutTheScript_HasNoHeaderAtElementZero()
    {
        var (_, findings) = Check(Diet("x86_64", "v5", "alpha.noscript.ko"));
        var e = findings.Should().ContainSingle().Which;
        e.Id.Should().Be(CheckIds.HeaderNotFirst);
        e.Message.Should().Contain("still in its own .gnu.linkonce.dyndbg");
    }

    [Test]
    public void UnionSizeMismatch_IsTheHazard_NotASizeError()
    {
        var (img, findings) = Check(Diet("s390x", "v6", "gamma.ko"));
        img.Descriptors.Size.Should().Be(88);
        findings.Should().NotContain(x => x.Id == CheckIds.DescriptorSize);
        findings.Single(x => x.Id == CheckIds.UnionSize).Message.Should().EndWith("the array is 24 + 16x4 = 88 bytes and section_objs counts 5");
    }

    [Test]
    public void SiteWithoutDescriptor_IsACountMismatch_AndTheSharedCounterHazard()
    {
        var d = ElfBytesPatch.Read("x86_64", Path.Combine("diet", "v5", "alpha.ko"));
        var sites = ElfBytesPatch.Describe(d).Sections.First(s => s.Name == "__dyndbg_sites");
        ElfBytesPatch.Put(d, (long)sites.HeaderOffset + 32, sites.Size + 24, 8, false);
        using var f = ElfFile.FromBytes("alpha.ko", d);
        var findings = DietChecks.Run(DietImage.Load(f)!);
        findings.Select(x => x.Id).Should().BeEquivalentTo([CheckIds.CountMismatch, CheckIds.SharedCounter]);
        findings.Single(x => x.Id == CheckIds.CountMismatch).Message.Should().Be("12 descriptors but 13 sites: site 12 has no descriptor");
    }

    [Test]
    public void BrokenLoopback_IsItsOwnId()
    {
        var d = ElfBytesPatch.Read("x86_64", Path.Combine("diet", "v5", "alpha.ko"));
        using var probe = ElfFile.FromBytes("alpha.ko", (byte[])d.Clone());
        var sites = probe.FindSection("__dyndbg_sites")!;
        var rela = probe.GetRelocations(probe.RelocationSectionsFor(sites).Single());
        var i = rela.Entries.ToArray().ToList().FindIndex(r => r.Offset == 8); // site_header.filename
        ElfBytesPatch.Put(d, (long)(rela.Section.Offset + ((ulong)i * 24) + 16), 40, 8, false); // &header + 40 = &desc[1]
        using var f = ElfFile.FromBytes("alpha.ko", d);
        var findings = DietChecks.Run(DietImage.Load(f)!);
        findings.Should().ContainSingle(x => x.Id == CheckIds.Loopback)
            .Which.Message.Should().Be("site_header.filename (&desc[1]) does not loop back to the header (&desc[0])");
    }

    [Test]
    public void HeaderBehindTheRecords_LinkedByGnuLd()
    {
        // A module script with the input sections the wrong way round, linked by the real ld.bfd.
        var dir = Path.Combine(TestContext.CurrentContext.WorkDirectory, "reversed");
        Directory.CreateDirectory(dir);
        var script = Path.Combine(dir, "reversed.lds");
        File.WriteAllText(script, "SECTIONS {\n__dyndbg_sites : ALIGN(8) { *(__dyndbg_sites) *(.gnu.linkonce.dyndbg_site) }\n" +
                                  "__dyndbg : ALIGN(8) { *(__dyndbg) *(.gnu.linkonce.dyndbg) }\n}\n");
        var output = Path.Combine(dir, "alpha.ko");
        var (code, _, err) = Tools.Run("ld.bfd", "-m", "elf_x86_64", "-r", "-T", script, "-o", output,
            Diet("x86_64", "v5", "alpha_main.o"), Diet("x86_64", "v5", "alpha_util.o"));
        code.Should().Be(0, err);

        var (_, findings) = Check(output);
        findings.Should().ContainSingle().Which.Message.Should().Be("the header pair is element 11, not element 0: __dyndbg[0]->site[N] cannot find it");
    }

    [Test]
    public void CheckCommand_ExitCodesAndJUnit()
    {
        var good = Diet("x86_64", "v5", "alpha.ko");
        var bad = Diet("aarch64", "v5", "alpha.ko");
        CliRunner.Run("check", good).Code.Should().Be(ExitCodes.Ok);
        var (code, output, _) = CliRunner.Run("check", "--format", "junit", good, bad, TestPaths.Sample("x86_64", "beta.ko"));
        code.Should().Be(ExitCodes.CheckFailed);
        var suite = XDocument.Parse(output).Root!.Element("testsuite")!;
        suite.Attribute("tests")!.Value.Should().Be("3");
        suite.Attribute("failures")!.Value.Should().Be("1");
        suite.Elements("testcase").Single(t => t.Element("failure") is not null).Attribute("classname")!.Value.Should().Be(bad);
        CliRunner.Run("check", good, "/nonexistent.ko").Code.Should().Be(ExitCodes.BadInput);
    }

    [Test]
    public void CheckCommand_WalksTrees_AndSummarises()
    {
        var (code, output, _) = CliRunner.Run("check", Path.Combine(TestPaths.Samples, "x86_64", "diet", "v6"));
        code.Should().Be(ExitCodes.CheckFailed, "the unlinked .o inputs have no header at element 0");
        output.Should().Contain("PASS ").And.Contain("FAIL ");
        output.TrimEnd().Split('\n')[^1].Should().MatchRegex(@"^checked \d+ files: \d+ passed, \d+ failed, 0 unreadable; \d+ hazards reported$");
    }
}
