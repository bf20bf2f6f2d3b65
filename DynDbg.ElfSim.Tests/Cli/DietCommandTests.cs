using System.Text.Json;
using DynDbg.ElfSim.DynDbg;
using DynDbg.ElfSim.Elf;
using DynDbg.ElfSim.Tests.DynDbg;

namespace DynDbg.ElfSim.Tests.Cli;

/// <summary>The <c>diet</c> command and <c>check --diet</c> on mainline inputs: what they print, write and exit with.</summary>
[TestFixture]
public class DietCommandTests
{
    /// <summary>-o is a directory: naming the input (or any existing file) is one line and exit 2, and the file is
    /// left as it was, as ld refuses an output that is one of its inputs.</summary>
    [Test]
    public void Output_ThatIsTheInputOrAFile_IsRefusedInOneLine_AndNothingIsLost()
    {
        var dir = Path.Combine(TestContext.CurrentContext.WorkDirectory, "diet-output-is-input");
        Directory.CreateDirectory(dir);
        var input = Path.Combine(dir, "alpha.ko");
        File.Copy(TestPaths.Sample("x86_64", "alpha.ko"), input, true);
        var before = File.ReadAllBytes(input);

        var (code, stdout, stderr) = CliRunner.Run("diet", input, "-o", input);
        code.Should().Be(2);
        stdout.Should().BeEmpty();
        stderr.Trim().Should().NotContain("\n").And.Contain("is the same as output directory").And.Contain("nothing was written");
        File.ReadAllBytes(input).Should().Equal(before);

        var other = Path.Combine(dir, "other.txt");
        File.WriteAllText(other, "keep me");
        (code, _, stderr) = CliRunner.Run("synth", "-o", other, "--callsites", "10");
        code.Should().Be(2);
        stderr.Trim().Should().NotContain("\n").And.Contain("is a file");
        File.ReadAllText(other).Should().Be("keep me");
    }

    [Test]
    public void Diet_WritesOneObjectPerUnit_AndPrintsOneLineEach()
    {
        var dir = DietTransformTests.Dir("cli", "alpha");
        var (code, stdout, stderr) = CliRunner.Run("diet", TestPaths.Sample("x86_64", "alpha.ko"), "-o", dir);
        code.Should().Be(0, stderr);
        var lines = stdout.TrimEnd('\n').Split('\n');
        lines[0].Should().Contain("module alpha, 11 call sites -> diet v5-64le-jl, 2 objects").And.Contain("module.lds");
        lines.Skip(1).Should().HaveCount(2);
        lines[1].Should().MatchRegex(@"^  000-alpha_main\.o\s+7 descriptors\s+\d+ bytes$");
        lines[2].Should().MatchRegex(@"^  001-alpha_util\.o\s+4 descriptors\s+\d+ bytes$");
        Directory.GetFiles(dir).Select(Path.GetFileName).Should().BeEquivalentTo("000-alpha_main.o", "001-alpha_util.o");
        foreach (var f in Directory.GetFiles(dir))
        {
            lines.Should().Contain(l => l.Contains(Path.GetFileName(f)) && l.EndsWith($" {new FileInfo(f).Length} bytes"));
        }
    }

    [TestCase("v5", 0)]
    [TestCase("v5-nosite", 1)]
    [TestCase("v6", 1)]
    public void DietLink_PrintsTheVerdict_HazardsDoNotFail(string variant, int hazards)
    {
        var dir = DietTransformTests.Dir("cli", "link", variant);
        var (code, stdout, stderr) = CliRunner.Run("diet", TestPaths.Sample("i386", "beta.ko"), "-o", dir, "--diet", variant, "--link");
        code.Should().Be(0, stderr);
        stdout.Should().Contain($"PASS {Path.Combine(dir, "beta.ko")} (diet {variant}-32le-jl: beta (11 descriptors))");
        stdout.Split('\n').Count(l => l.Contains(": hazard DDH")).Should().Be(hazards);
        File.Exists(Path.Combine(dir, "beta.ko")).Should().BeTrue();
    }

    [Test]
    public void DietJson_ListsObjectsAndTheLinkedCheck()
    {
        var dir = DietTransformTests.Dir("cli", "json");
        var (code, stdout, _) = CliRunner.Run("diet", TestPaths.Sample("s390x", "vmlinux.o"), "-o", dir, "--diet", "v6", "--link", "--format", "json");
        code.Should().Be(0);
        using var doc = JsonDocument.Parse(stdout);
        var root = doc.RootElement;
        root.GetProperty("module").GetBoolean().Should().BeFalse();
        root.GetProperty("script").GetString().Should().Be("vmlinux-diet-v6.lds");
        root.GetProperty("layout").GetString().Should().Be("v6-64be-jl");
        root.GetProperty("objects").EnumerateArray().Sum(o => o.GetProperty("descriptors").GetInt32()).Should().Be(root.GetProperty("callsites").GetInt32());
        root.GetProperty("classedCallsites").GetInt32().Should().Be(1, "delta.c's pr_debug_cls site is built in");
        root.GetProperty("linked").GetProperty("passed").GetBoolean().Should().BeTrue();
        File.Exists(Path.Combine(dir, "vmlinux.o")).Should().BeTrue();
    }

    [Test]
    public void Diet_NoTable_IsExit2WithOneLine()
    {
        var dir = DietTransformTests.Dir("cli", "none");
        var input = Path.Combine(dir, "notable.o");
        File.WriteAllBytes(input, new ElfWriter(new ElfIdentity(true, false, ElfMachine.X86_64)).ToArray());
        var (code, stdout, stderr) = CliRunner.Run("diet", input, "-o", Path.Combine(dir, "out"));
        code.Should().Be(2);
        stdout.Should().BeEmpty();
        stderr.TrimEnd('\n').Split('\n').Should().ContainSingle().Which.Should().Contain(DyndbgErrorIds.NothingToTransform);
        Directory.Exists(Path.Combine(dir, "out")).Should().BeFalse("nothing is written for an input without a table");
    }

    [Test]
    public void Diet_DietInput_IsExit2()
    {
        var (code, _, stderr) = CliRunner.Run("diet", TestPaths.Sample("x86_64", "diet/v6/alpha.ko"), "-o", DietTransformTests.Dir("cli", "dietin"));
        code.Should().Be(2);
        stderr.Should().Contain(DyndbgErrorIds.AlreadyDiet);
    }

    [Test]
    public void Diet_ScriptWithoutLink_IsUsage()
    {
        var (code, _, stderr) = CliRunner.Run("diet", TestPaths.Sample("x86_64", "alpha.ko"), "-o", DietTransformTests.Dir("cli", "usage"), "-T", "module.lds");
        code.Should().Be(2);
        stderr.Should().Contain("--link");
    }

    [Test]
    public void DietLink_WrongScript_FailsTheCheck()
    {
        // The 6.1 module script has no rule for the header sections: they stay outside element 0 (§8.3).
        var dir = DietTransformTests.Dir("cli", "wrong-script");
        var (code, stdout, _) = CliRunner.Run("diet", TestPaths.Sample("x86_64", "alpha.ko"), "-o", dir, "--link", "-T", "module-6.1.lds");
        code.Should().Be(1);
        stdout.Should().Contain("FAIL").And.Contain("DDG003");
    }

    [TestCase("v5", "PASS")]
    [TestCase("v6", "PASS")]
    [NonParallelizable] // looks for any dyndbg-elfsim-diet-<pid>-* left in /tmp, which another fixture's check --diet may hold
    public void CheckDiet_OnAMainlineInput_TransformsLinksAndChecks(string variant, string verdict)
    {
        var input = TestPaths.Sample("x86_64", "beta.ko");
        var (code, stdout, stderr) = CliRunner.Run("check", "--diet", variant, input);
        code.Should().Be(0, stderr);
        stdout.Should().Contain($"{verdict} {input} (mainline, transformed to diet {variant}-64le-jl and linked: beta (11 descriptors))");
        Directory.GetDirectories(Path.GetTempPath(), $"dyndbg-elfsim-diet-{Environment.ProcessId}-*").Should().BeEmpty("the temporary objects are removed");
    }

    [Test]
    public void CheckDiet_ShowsTheProfilesHazards_InJson()
    {
        var (code, stdout, _) = CliRunner.Run("check", "--diet", "v5-nosite", "--format", "json", TestPaths.Sample("x86_64", "gamma.ko"));
        code.Should().Be(0);
        using var doc = JsonDocument.Parse(stdout);
        var file = doc.RootElement; // one file: its object (with a summary member)
        file.GetProperty("kind").GetString().Should().Be("diet (transformed)");
        file.GetProperty("findings").EnumerateArray().Select(f => f.GetProperty("id").GetString())
            .Should().BeEquivalentTo(["DDH01", "DDH02", "DDG013", "DDG018"], "§7.1 and §7.2 break §8.13 and §8.18 after the load");
        file.GetProperty("findings").EnumerateArray().Select(f => f.GetProperty("severity").GetString()).Should().OnlyContain(s => s == "hazard");
    }

    [Test]
    public void CheckDiet_WithoutATable_PassesWithNothingToCheck_AsWithoutDiet()
    {
        var dir = DietTransformTests.Dir("cli", "check-none");
        var input = Path.Combine(dir, "notable.o");
        File.WriteAllBytes(input, new ElfWriter(new ElfIdentity(true, true, ElfMachine.S390)).ToArray());
        var (code, stdout, _) = CliRunner.Run("check", "--diet", "v5", input);
        code.Should().Be(0);
        stdout.Should().Contain($"PASS {input} (no dyndbg table)");
    }
}
