namespace DynDbg.ElfSim.Tests.RealKernel;

/// <summary>
/// The real kernel's answers, for the RealKernel tests: runs scripts/qemu/boot.sh once per test run (it boots
/// only when its cache has no capture for the current inputs; it installs qemu-system-x86, busybox-static and
/// cpio itself when root on Debian); the amd64 -dbg vmlinux and modules come through RealInputs (fetch-real.sh). A platform that
/// cannot run them (exit 3) makes the tests ignored with the scripts' own reason, except a missing qemu, busybox-static
/// or cpio, which fails them under CI (.ci/run installs those, <see cref="Tools.Missing"/>); any other failure fails them.
/// </summary>
public static class QemuHarness
{
    // A cold boot takes about 25 s here; the bound is the script's own qemu timeout plus room for apt-get.
    private static readonly TimeSpan BootLimit = TimeSpan.FromMinutes(20);

    private static readonly Lazy<(KernelGroundTruth Truth, ScriptRun Run)> Boot = new(RunBoot, LazyThreadSafetyMode.ExecutionAndPublication);

    public static KernelGroundTruth Truth => Boot.Value.Truth;

    /// <summary>The KEY=VALUE lines of boot.sh (ABI, BOOT_SECONDS, ...).</summary>
    public static IReadOnlyDictionary<string, string> BootValues => Boot.Value.Run.Values;

    /// <summary>The -dbg package's vmlinux of the booted ABI.</summary>
    public static string Vmlinux
    {
        get
        {
            var abi = Boot.Value.Run.Value("ABI");
            Real.RealInputs.Arch("amd64").Abi.Should().Be(abi, "the -dbg vmlinux must be the booted kernel's ABI");
            return Real.RealInputs.Vmlinux("amd64");
        }
    }

    /// <summary>lib/modules/&lt;abi&gt; of the booted kernel, where the capture's module paths are relative to.</summary>
    public static string ModulesDirectory => Real.RealInputs.Arch("amd64").Modules;

    public static string ModulePath(ModuleAttempt m) => Path.Combine(ModulesDirectory, m.Path);

    private static (KernelGroundTruth, ScriptRun) RunBoot()
    {
        var run = ScriptRun.Start("scripts/qemu/boot.sh", BootLimit);
        IgnoreOrFail(run);
        return (KernelGroundTruth.Read(run.Value("CAPTURE")), run);
    }

    private static void IgnoreOrFail(ScriptRun run)
    {
        if (run.ExitCode == 3)
        {
            // boot.sh's exit 3 is also its answer to missing tools it could not install (not root, no apt).
            Tools.Require("qemu-system-x86_64", "cpio");
            if (!File.Exists("/bin/busybox"))
            {
                Tools.Missing("/bin/busybox is not installed (Debian: apt-get install busybox-static)");
            }

            Assert.Ignore($"{run.Script} cannot run on this platform: {run.Reason}");
        }

        if (run.ExitCode != 0)
        {
            Assert.Fail($"{run.Script} exited {run.ExitCode}: {run.Reason}");
        }
    }
}
