using DynDbg.ElfSim.Arch;

namespace DynDbg.ElfSim.Tests.RealKernel;

/// <summary>
/// Issue 13: apply_relocate(_add) on every architecture, against the bytes the booted kernel holds in each module's
/// core allocation (/proc/kcore; on armhf, which has none, qemu's monitor), <see cref="BootedModuleChecks.RelocatedCoreBytes"/>.
/// </summary>
[Category("RealKernel")]
public class RelocatedBytesTests
{
    [Test]
    public void Amd64() => BootedModuleChecks.RelocatedCoreBytes(QemuBoot.Amd64, "amd64");

    [Test]
    public void Arm64() => BootedModuleChecks.RelocatedCoreBytes(QemuBoot.Arm64, "arm64 cortex-a57");

    [Test]
    public void Arm64CortexA53() => BootedModuleChecks.RelocatedCoreBytes(QemuBoot.Arm64CortexA53, "arm64 cortex-a53", ModuleArchOptions.ForCpu("cortex-a53"));

    [Test]
    public void Armhf() => BootedModuleChecks.RelocatedCoreBytes(QemuBoot.Armhf, "armhf");

    [Test]
    public void I386() => BootedModuleChecks.RelocatedCoreBytes(QemuBoot.I386, "i386");

    [Test]
    public void Ppc64el() => BootedModuleChecks.RelocatedCoreBytes(QemuBoot.Ppc64el, "ppc64el");

    [Test]
    public void S390x() => BootedModuleChecks.RelocatedCoreBytes(QemuBoot.S390x, "s390x");

    [Test]
    public void Mips64el() => BootedModuleChecks.RelocatedCoreBytes(QemuBoot.Mips64el, "mips64el");
}
