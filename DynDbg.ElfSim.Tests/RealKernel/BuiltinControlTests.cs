using DynDbg.ElfSim.DynDbg;
using DynDbg.ElfSim.Elf;
using DynDbg.ElfSim.Tests.Cli;

namespace DynDbg.ElfSim.Tests.RealKernel;

/// <summary>
/// Issue 7, comparison 1: <c>load VMLINUX --control</c> on the -dbg package's vmlinux prints exactly what the
/// booted kernel shows in /proc/dynamic_debug/control before any module is loaded (reference §3.2, invariants
/// 25, 26, 29). First proves that the booted bzImage and the -dbg vmlinux are one build.
/// </summary>
[TestFixture]
[Category("RealKernel")]
[NonParallelizable] // real-kernel fixtures run one at a time, as before the unit tests ran in parallel
public class BuiltinControlTests
{
    [Test]
    public void BootedKernel_IsTheBuildOfTheDbgVmlinux()
    {
        var truth = QemuHarness.Truth;
        using var vmlinux = ElfFile.Open(QemuHarness.Vmlinux);

        // /proc/version is linux_banner; the build time and Debian version in it tell builds of one ABI apart.
        KernelVersionProbe.LinuxBanner(vmlinux).Should().Be(truth.Version + "\n");

        // /sys/kernel/notes is the .notes section of the running image, GNU build ID included: same bytes,
        // same build.
        var notes = vmlinux.FindSection(".notes");
        notes.Should().NotBeNull();
        vmlinux.GetContents(notes!).ToArray().Should().Equal(truth.KernelNotes);
    }

    [Test]
    public void LoadControl_OfTheVmlinux_EqualsTheBootedBuiltinControl_ByteForByte()
    {
        var truth = QemuHarness.Truth;
        var (code, output, err) = CliRunner.Run("load", "--control", QemuHarness.Vmlinux);
        code.Should().Be(0, err);

        var kernel = File.ReadAllBytes(truth.BuiltinControlPath);
        ControlDiff.Describe(output, kernel).Should().BeNull();
        kernel.Count(b => b == '\n').Should().BeGreaterThan(1000, "a distro kernel has thousands of built-in callsites");
    }
}
