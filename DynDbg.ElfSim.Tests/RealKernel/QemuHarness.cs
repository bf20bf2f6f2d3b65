namespace DynDbg.ElfSim.Tests.RealKernel;

/// <summary>
/// The amd64 kernel's answers, for the issue-7 RealKernel tests: <see cref="QemuBoot.Amd64"/> (scripts/qemu/boot.sh
/// without --arch; a platform that cannot boot skips, except under CI, where it fails); the amd64 -dbg vmlinux
/// and modules come through RealInputs (fetch-real.sh).
/// </summary>
public static class QemuHarness
{
    public static KernelGroundTruth Truth => QemuBoot.Amd64.Truth;

    /// <summary>The KEY=VALUE lines of boot.sh (ABI, BOOT_SECONDS, ...).</summary>
    public static IReadOnlyDictionary<string, string> BootValues => QemuBoot.Amd64.BootValues;

    /// <summary>The -dbg package's vmlinux of the booted ABI.</summary>
    public static string Vmlinux
    {
        get
        {
            var abi = QemuBoot.Amd64.BootValues["ABI"];
            Real.RealInputs.Arch("amd64").Abi.Should().Be(abi, "the -dbg vmlinux must be the booted kernel's ABI");
            return Real.RealInputs.Vmlinux("amd64");
        }
    }

    /// <summary>lib/modules/&lt;abi&gt; of the booted kernel, where the capture's module paths are relative to.</summary>
    public static string ModulesDirectory => Real.RealInputs.Arch("amd64").Modules;

    public static string ModulePath(ModuleAttempt m) => Path.Combine(ModulesDirectory, m.Path);
}
