using DynDbg.ElfSim.Cli;
using DynDbg.ElfSim.Diagnostics;

namespace DynDbg.ElfSim.Tests.Cli;

/// <summary>Help and typing (issue 15): the bare command shows the usage, mistypes get a suggestion, every usage error is one line.</summary>
[TestFixture]
public class TypingTests
{
    private static readonly string Alpha = TestPaths.Sample("x86_64", "alpha.ko");

    [Test]
    public void TheBareCommand_PrintsTheCommands_AndExits2()
    {
        var (code, stdout, stderr) = CliRunner.Run();
        code.Should().Be(ExitCodes.BadInput);
        stdout.Should().Contain("load").And.Contain("check").And.Contain("control").And.Contain("synth");
        stderr.Should().Be($"dyndbg-elfsim: error {UsageErrorIds.Usage}: no command given; see the list above\n");
    }

    [TestCase(new[] { "laod", "x.ko" }, "unknown command 'laod'; did you mean 'load'?")]
    [TestCase(new[] { "chekc", "x.ko" }, "unknown command 'chekc'; did you mean 'check'?")]
    [TestCase(new[] { "frobnicate" }, "unknown command 'frobnicate' (commands: load, check, control, compress, zram, link, explain, report, diet, synth, completion, manpage)")]
    [TestCase(new[] { "check", "--jbs", "2", "x" }, "unknown option '--jbs' for check; did you mean '--jobs'?")]
    [TestCase(new[] { "load", "--contorl", "x.ko" }, "unknown option '--contorl' for load; did you mean '--control'?")]
    public void AMistype_IsOneLine_WithTheNearestName(string[] args, string expected)
    {
        var (code, stdout, stderr) = CliRunner.Run(args);
        code.Should().Be(ExitCodes.BadInput);
        stdout.Should().BeEmpty();
        stderr.Should().StartWith($"dyndbg-elfsim: error {UsageErrorIds.Usage}: {expected}");
        stderr.TrimEnd('\n').Should().NotContain("\n");
    }

    [Test]
    public void AnUnknownFormat_IsOneLine()
    {
        var (code, _, stderr) = CliRunner.Run("load", "--format", "xml", Alpha);
        code.Should().Be(ExitCodes.BadInput);
        stderr.Should().Be($"dyndbg-elfsim: error {UsageErrorIds.Usage}: Argument 'xml' not recognized. Must be one of: 'text' 'json'\n");
    }
}
