namespace DynDbg.ElfSim.Tests.RealKernel;

/// <summary>
/// The real kernel's answers, for the RealKernel tests: runs scripts/qemu/boot.sh once per test run (it boots
/// only when its cache has no capture for the current inputs; it installs qemu-system-x86, busybox-static and
/// cpio itself when root on Debian) and scripts/fetch-real.sh for the amd64 -dbg vmlinux. A platform that
/// cannot run them (exit 3) makes the tests ignored with the scripts' own reason; any other failure fails them.
/// </summary>
public static class QemuHarness
{
    // A cold boot takes about 25 s here; the bound is the script's own qemu timeout plus room for apt-get.
    private static readonly TimeSpan BootLimit = TimeSpan.FromMinutes(20);
    private static readonly TimeSpan FetchLimit = TimeSpan.FromMinutes(30);

    private static readonly Lazy<(KernelGroundTruth Truth, ScriptRun Run)> Boot = new(RunBoot, LazyThreadSafetyMode.ExecutionAndPublication);
    private static readonly Lazy<ScriptRun> Fetch = new(RunFetch, LazyThreadSafetyMode.ExecutionAndPublication);

    public static KernelGroundTruth Truth => Boot.Value.Truth;

    /// <summary>The KEY=VALUE lines of boot.sh (ABI, BOOT_SECONDS, ...).</summary>
    public static IReadOnlyDictionary<string, string> BootValues => Boot.Value.Run.Values;

    /// <summary>The -dbg package's vmlinux of the booted ABI.</summary>
    public static string Vmlinux
    {
        get
        {
            var abi = Boot.Value.Run.Value("ABI");
            Fetch.Value.Value("ABI_amd64").Should().Be(abi, "the -dbg vmlinux must be the booted kernel's ABI");
            return Fetch.Value.Value("VMLINUX_amd64");
        }
    }

    /// <summary>lib/modules/&lt;abi&gt; of the booted kernel, where the capture's module paths are relative to.</summary>
    public static string ModulesDirectory => Fetch.Value.Value("MODULES_amd64");

    public static string ModulePath(ModuleAttempt m) => Path.Combine(ModulesDirectory, m.Path);

    private static (KernelGroundTruth, ScriptRun) RunBoot()
    {
        var run = ScriptRun.Start("scripts/qemu/boot.sh", BootLimit);
        IgnoreOrFail(run);
        return (KernelGroundTruth.Read(run.Value("CAPTURE")), run);
    }

    private static ScriptRun RunFetch()
    {
        var run = ScriptRun.Start("scripts/fetch-real.sh", FetchLimit, "--arch", "amd64");
        IgnoreOrFail(run);
        return run;
    }

    private static void IgnoreOrFail(ScriptRun run)
    {
        if (run.ExitCode == 3)
        {
            Assert.Ignore($"{run.Script} cannot run on this platform: {run.Reason}");
        }

        if (run.ExitCode != 0)
        {
            Assert.Fail($"{run.Script} exited {run.ExitCode}: {run.Reason}");
        }
    }
}
