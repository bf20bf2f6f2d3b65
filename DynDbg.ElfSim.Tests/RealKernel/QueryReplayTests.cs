using System.Text;
using DynDbg.ElfSim.Tests.Cli;

namespace DynDbg.ElfSim.Tests.RealKernel;

/// <summary>
/// Issue 7, comparison 4: the query list replayed step by step through the control emulation
/// (<c>control VMLINUX MODULE.ko... --query Q...</c>), control file and return code equal to the kernel's at every step.
/// </summary>
[TestFixture]
[Category("RealKernel")]
[NonParallelizable] // real-kernel fixtures run one at a time, as before the unit tests ran in parallel
public class QueryReplayTests
{
    [Test]
    public void Capture_HoldsOneStepPerQueryOfTheList_WithItsExactBytes()
    {
        var steps = QemuHarness.Truth.Steps;
        var writes = QueryList.Read(QueryList.DefaultPath);
        writes.Count.Should().BeGreaterThanOrEqualTo(40, "issue 7 asks for at least 40 queries");
        steps.Select(s => s.Number).Should().Equal(Enumerable.Range(1, writes.Count));
        for (var i = 0; i < writes.Count; i++)
        {
            steps[i].Query.Should().Equal(writes[i], $"step {steps[i].Number}");
        }
    }

    /// <summary>Reference §3.3 and invariant 31, as the booted kernel answered the list.</summary>
    [Test]
    public void BootedKernel_AnswersAsReference3_3Says()
    {
        var steps = QemuHarness.Truth.Steps;
        var previous = File.ReadAllBytes(QemuHarness.Truth.InsmodControlPath);
        var appliedDespiteError = 0;
        foreach (var s in steps)
        {
            var control = File.ReadAllBytes(s.ControlPath);
            var text = Encoding.UTF8.GetString(s.Query);
            var single = !text.TrimEnd('\n').Contains(';') && !text.TrimEnd('\n').Contains('\n');
            if (s.Rc < 0)
            {
                s.KernelLog.Should().Contain(l => l.Contains("dyndbg: "), $"step {s.Number}: a failed query says why");
                if (single)
                {
                    control.Should().Equal(previous, $"step {s.Number} '{s.Display}': a query that fails to parse changes nothing");
                }
                else if (!control.AsSpan().SequenceEqual(previous))
                {
                    appliedDespiteError++;
                }
            }

            previous = control;
        }

        appliedDespiteError.Should().BePositive("the good queries of a write that also holds a bad one still apply");
        steps.Where(s => s.Query.Length == 4095).Should().ContainSingle().Which.Rc.Should().Be(4095);
        steps.Where(s => s.Query.Length == 4096).Should().ContainSingle().Which.Rc.Should().Be(-7, "-E2BIG above USER_BUF_PAGE - 1");
    }

    [Test]
    public void ControlEmulation_ReplaysEveryStep_WithTheKernelsControlFileAndReturnCode() => BootedModuleChecks.QueryReplay(QemuBoot.Amd64, "amd64");
}
