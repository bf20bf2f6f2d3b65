using DynDbg.ElfSim.Checks;
using DynDbg.ElfSim.Cli;
using DynDbg.ElfSim.Tests.Cli;
using FluentAssertions;

namespace DynDbg.ElfSim.Tests.Checks;

/// <summary>
/// The built-in way to a wrong <c>_index</c> (§7.3, §8.12): dynamic_debug_init numbers the whole built-in vector
/// from __start___dyndbg, so a diet vmlinux with more than 2^14 elements stores wrapped indices even though every
/// slice is small. The vmlinux.o that <c>synth --diet</c> writes is already linked with the diet vmlinux script;
/// the built-in emulation must use it as it is (linking it again would leave the bounds empty).
/// </summary>
[TestFixture]
public class BuiltinIndexWrapTests
{
    private static (int Code, string Out) SynthAndCheck(int callsites)
    {
        var dir = Path.Combine(TestContext.CurrentContext.WorkDirectory, "builtin-wrap", callsites.ToString());
        if (Directory.Exists(dir))
        {
            Directory.Delete(dir, true);
        }

        var (sc, _, serr) = CliRunner.Run("synth", "-o", dir, "--diet", "v5", "--callsites", callsites.ToString(), "--seed", "3");
        sc.Should().Be(ExitCodes.Ok, serr);
        var (code, output, _) = CliRunner.Run("check", "--diet", "v5", Path.Combine(dir, "vmlinux.o"));
        return (code, output);
    }

    [Test]
    public void MoreThan2To14BuiltinCallsites_WrapTheGlobalIndex_OneFindingPerInvariant()
    {
        var (code, output) = SynthAndCheck((1 << 14) + 100);
        code.Should().Be(ExitCodes.CheckFailed);
        var ids = output.Split('\n').Where(l => l.Contains(": error ", StringComparison.Ordinal))
            .Select(l => l[(l.IndexOf(": error ", StringComparison.Ordinal) + 8)..][..6]).ToArray();
        ids.Should().Equal([CheckIds.IndexOverflow, CheckIds.IndexValue, CheckIds.HeaderUpN, CheckIds.BuiltinSlot, CheckIds.BuiltinSiteIndex,
            CheckIds.BuiltinSitePointer], "a built-in image gets one finding per broken invariant, not one per slice");
        output.Should().Contain("desc[16384]._index is 0, expected 16384: _index:14 cannot hold it (§8.20) (101 elements)");
    }

    [Test]
    public void TheTwinJustBelow2To14_PassesAfterBuiltinInit()
    {
        var (code, output) = SynthAndCheck((1 << 14) - 1);
        code.Should().Be(ExitCodes.Ok, output);
        output.Should().Contain("16384 descriptors");
    }

    [Test]
    public void AnAlreadyLinkedVmlinuxO_IsInitialisedAsItIs()
    {
        var dir = Path.Combine(TestContext.CurrentContext.WorkDirectory, "builtin-linked");
        if (Directory.Exists(dir))
        {
            Directory.Delete(dir, true);
        }

        CliRunner.Run("synth", "-o", dir, "--diet", "v5", "--callsites", "300", "--seed", "5").Code.Should().Be(ExitCodes.Ok);
        var (code, output, _) = CliRunner.Run("load", "--diet", "v5", Path.Combine(dir, "vmlinux.o"));
        code.Should().Be(ExitCodes.Ok, output);
        output.Should().Contain("Counts:    301 descriptors, 301 sites, 301 walked").And.Contain("already linked with a diet vmlinux script");
    }
}
