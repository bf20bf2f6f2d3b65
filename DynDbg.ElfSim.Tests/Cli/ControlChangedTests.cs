using DynDbg.ElfSim.Cli;

namespace DynDbg.ElfSim.Tests.Cli;

/// <summary><c>control --changed</c> (issue 15): only the lines a write changed, as -before/+after pairs.</summary>
[TestFixture]
public class ControlChangedTests
{
    private static readonly string Vmlinux = TestPaths.Sample("x86_64", "vmlinux.o");

    [Test]
    public void Changed_ShowsExactlyTheLinesWhoseFlagsAQueryChanged()
    {
        var (_, full, _) = CliRunner.Run("control", Vmlinux, "module alpha +p");
        var (code, changed, stderr) = CliRunner.Run("control", Vmlinux, "module alpha +p", "--changed");
        code.Should().Be(ExitCodes.Ok, stderr);
        var lines = changed.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var plus = lines.Where(l => l.StartsWith('+')).Select(l => l[1..]).ToArray();
        var minus = lines.Where(l => l.StartsWith('-')).Select(l => l[1..]).ToArray();
        plus.Should().NotBeEmpty().And.HaveCount(minus.Length).And.OnlyContain(l => l.Contains("[alpha]") && l.Contains(" =p "));
        minus.Should().OnlyContain(l => l.Contains(" =_ "));
        plus.Should().BeSubsetOf(full.Split('\n'), "the + side is the control file after the write");
        full.Split('\n').Count(l => l.Contains("[alpha]") && l.Contains(" =p ")).Should().Be(plus.Length, "every changed line is shown");
        lines[^1].Should().Be($"# {plus.Length} lines changed");
    }

    [Test]
    public void ChangedWithSteps_AWriteThatChangesNothing_ShowsNothing()
    {
        var (code, stdout, _) = CliRunner.Run("control", Vmlinux, "module alpha +p", "module alpha +p", "--changed", "--steps");
        code.Should().Be(ExitCodes.Ok);
        var lastStep = stdout[stdout.LastIndexOf("### write 2", StringComparison.Ordinal)..];
        lastStep.Split('\n', StringSplitOptions.RemoveEmptyEntries).Should().Equal(lastStep.Split('\n')[0], "# 0 lines changed");
    }

    [Test]
    public void ChangedWithJson_IsAUsageError_NotSilentlyIgnored()
    {
        var (code, stdout, stderr) = CliRunner.Run("control", Vmlinux, "module alpha +p", "--changed", "--format", "json");
        code.Should().Be(ExitCodes.BadInput);
        stdout.Should().BeEmpty();
        stderr.Should().Contain("error USG001: --changed applies to the text output");
    }
}
