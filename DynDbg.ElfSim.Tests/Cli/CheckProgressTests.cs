using DynDbg.ElfSim.Cli;

namespace DynDbg.ElfSim.Tests.Cli;

/// <summary>`check` over many files: results stream out in path order, one flush per result; on a terminal a
/// single \r-rewritten progress line on stderr that is erased at the end; never a byte of it when redirected.</summary>
[TestFixture]
public class CheckProgressTests
{
    private static (int Code, string Out, string Err, int Flushes) Check(bool errTerminal, bool outTerminal, int jobs)
    {
        var o = new FlushCounter();
        var e = new StringWriter { NewLine = "\n" };
        var io = new CliOutput(o, e) { ErrorIsTerminal = errTerminal, OutIsTerminal = outTerminal };
        var code = Program.Run(["check", "--jobs", jobs.ToString(), TestPaths.Samples], io);
        return (code, o.ToString(), e.ToString(), o.Flushes);
    }

    [Test]
    public void Redirected_NoProgress_ResultsInPathOrder()
    {
        var (code, text, err, flushes) = Check(errTerminal: false, outTerminal: false, jobs: 2);
        code.Should().BeOneOf(0, 1);
        err.Should().BeEmpty("a CI log never sees the progress line");
        var paths = text.Split('\n').Where(l => l.StartsWith("PASS ") || l.StartsWith("FAIL ") || l.StartsWith("UNREADABLE "))
            .Select(l => l.Split(' ')[1]).ToList();
        paths.Count.Should().BeGreaterThan(CliOutput.ProgressThreshold);
        paths.Should().BeInAscendingOrder(StringComparer.Ordinal);
        flushes.Should().BeGreaterThanOrEqualTo(1);
    }

    [Test]
    public void TerminalOutput_EveryResultFlushedAsItIsPrinted()
    {
        var (_, text, _, flushes) = Check(errTerminal: false, outTerminal: true, jobs: 2);
        var results = text.Split('\n').Count(l => l.StartsWith("PASS ") || l.StartsWith("FAIL ") || l.StartsWith("UNREADABLE "));
        flushes.Should().BeGreaterThanOrEqualTo(results, "on a terminal each result shows as soon as it and those before it are done");
    }

    [Test]
    public void Terminal_OneRewrittenLine_ErasedAtTheEnd_SameResults()
    {
        var plain = Check(errTerminal: false, outTerminal: false, jobs: 1);
        var (code, text, err, _) = Check(errTerminal: true, outTerminal: false, jobs: 2);
        code.Should().Be(plain.Code);
        text.Should().Be(plain.Out, "the progress line goes to stderr only");
        err.Should().StartWith("\rcheck: ").And.NotContain("\n").And.EndWith("\r");
        err.Should().MatchRegex(@"check: \d+/\d+ files, \d+ failed, \d+\.\d s");
        err.TrimEnd('\r').Split('\r').Last().Trim().Should().BeEmpty("the last write blanks the line");
    }

    [Test]
    public void FewFiles_NoProgressEvenOnATerminal()
    {
        var o = new StringWriter();
        var e = new StringWriter();
        Program.Run(["check", TestPaths.Sample("x86_64", "alpha.ko")], new CliOutput(o, e) { ErrorIsTerminal = true, OutIsTerminal = true });
        e.ToString().Should().BeEmpty();
    }

    private sealed class FlushCounter : StringWriter
    {
        public FlushCounter() => NewLine = "\n";

        public int Flushes { get; private set; }

        public override void Flush()
        {
            Flushes++;
            base.Flush();
        }
    }
}
