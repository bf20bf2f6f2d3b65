using DynDbg.ElfSim.Cli;

namespace DynDbg.ElfSim.Tests.Cli;

/// <summary>`compress` over several inputs, `load` over many, `diet` of a vmlinux (issue 15): a progress line on a terminal's stderr from the start,
/// erased at the end, and not a byte of it when stderr is redirected.</summary>
[TestFixture]
public class ManyInputProgressTests
{
    private static (int Code, string Out, string Err) Compress(bool errTerminal)
    {
        var o = new StringWriter { NewLine = "\n" };
        var e = new StringWriter { NewLine = "\n" };
        var io = new CliOutput(o, e) { ErrorIsTerminal = errTerminal };
        var code = Program.Run(["compress", "--budget-ms", "0", "--no-zstd", TestPaths.Sample("x86_64", "alpha.ko"), TestPaths.Sample("x86_64", "beta.ko"),
            TestPaths.Sample("x86_64", "vmlinux.o")], io);
        return (code, o.ToString(), e.ToString());
    }

    [Test]
    public void Terminal_ShowsDoneOfTotal_ThenErasesIt_Redirected_NothingAtAll()
    {
        var plain = Compress(errTerminal: false);
        var (code, text, err) = Compress(errTerminal: true);
        plain.Err.Should().BeEmpty("a CI log never sees the progress line");
        code.Should().Be(plain.Code);
        text.Should().Be(plain.Out, "the progress line goes to stderr only");
        err.Should().StartWith("\rcompress: 0/3 inputs, ").And.NotContain("\n").And.EndWith("\r");
        err.TrimEnd('\r').Split('\r').Last().Trim().Should().BeEmpty("the last write blanks the line");
    }

    [Test]
    public void LoadOfManyFiles_ProgressOnATerminalOnly_SameOutput()
    {
        string[] args = ["load", "--separate", .. Enumerable.Repeat(TestPaths.Sample("x86_64", "alpha.ko"), CliOutput.ProgressThreshold + 10)];
        (int, string, string) Run(bool terminal)
        {
            var o = new StringWriter { NewLine = "\n" };
            var e = new StringWriter { NewLine = "\n" };
            return (Program.Run(args, new CliOutput(o, e) { ErrorIsTerminal = terminal }), o.ToString(), e.ToString());
        }

        var (plainCode, plainOut, plainErr) = Run(false);
        var (code, text, err) = Run(true);
        plainErr.Should().BeEmpty();
        code.Should().Be(plainCode);
        text.Should().Be(plainOut);
        err.Should().StartWith("\rload: ").And.MatchRegex(@"load: \d+/60 files, \d+\.\d s").And.NotContain("\n").And.EndWith("\r");
    }

    [Test]
    public void SynthOfAModuleTree_ProgressOnATerminalOnly_SameFiles()
    {
        (int, string, string) Run(bool terminal, string dir)
        {
            var o = new StringWriter { NewLine = "\n" };
            var e = new StringWriter { NewLine = "\n" };
            var code = Program.Run(["synth", "-o", dir, "--modules", "60", "--callsites", "600", "--seed", "3"], new CliOutput(o, e) { ErrorIsTerminal = terminal });
            return (code, o.ToString().Replace(dir, "DIR", StringComparison.Ordinal), e.ToString());
        }

        var root = Path.Combine(TestContext.CurrentContext.WorkDirectory, "synth-progress");
        var (plainCode, plainOut, plainErr) = Run(false, Path.Combine(root, "plain"));
        var (code, text, err) = Run(true, Path.Combine(root, "terminal"));
        plainErr.Should().BeEmpty();
        code.Should().Be(plainCode).And.Be(ExitCodes.Ok);
        text.Should().Be(plainOut);
        err.Should().StartWith("\rsynth: ").And.MatchRegex(@"synth: \d+/60 modules, \d+\.\d s").And.NotContain("\n").And.EndWith("\r");
    }

    [Test]
    public void DietOfAVmlinux_ProgressOnATerminalOnly_SameOutput()
    {
        var vmlinux = TestPaths.Sample("x86_64", "vmlinux.o");
        (int, string, string) Run(bool terminal, string dir)
        {
            var o = new StringWriter { NewLine = "\n" };
            var e = new StringWriter { NewLine = "\n" };
            var code = Program.Run(["diet", vmlinux, "-o", dir, "--link"], new CliOutput(o, e) { ErrorIsTerminal = terminal });
            return (code, o.ToString().Replace(dir, "DIR", StringComparison.Ordinal), e.ToString());
        }

        var work = Path.Combine(TestContext.CurrentContext.WorkDirectory, "diet-progress");
        var (plainCode, plainOut, plainErr) = Run(false, Path.Combine(work, "plain"));
        var (code, text, err) = Run(true, Path.Combine(work, "terminal"));
        plainErr.Should().BeEmpty("a CI log never sees the progress line");
        code.Should().Be(plainCode);
        text.Should().Be(plainOut, "the progress line goes to stderr only");
        err.Should().StartWith("\rdiet: 0/").And.MatchRegex(@"objects, \d+\.\d s").And.NotContain("\n").And.EndWith("\r");
        err.TrimEnd('\r').Split('\r').Last().Trim().Should().BeEmpty("the last write blanks the line");
    }
}
