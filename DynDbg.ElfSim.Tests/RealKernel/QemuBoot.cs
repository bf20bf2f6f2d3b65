namespace DynDbg.ElfSim.Tests.RealKernel;

/// <summary>
/// One architecture's boot of scripts/qemu/boot.sh, run once per test run (it boots only when its cache has no
/// capture for the current inputs; as root on Debian it installs its own packages). Exit 3, "this platform cannot
/// run the harness", makes the calling test ignored with the script's reason, except under CI=true, where the
/// ground truth must not silently go missing: there it fails. Any other failure fails the test.
/// </summary>
public sealed class QemuBoot
{
    // A cold boot takes 25 s (amd64) to 75 s (arm64) here; the bound is the script's own qemu timeout plus room for apt-get.
    private static readonly TimeSpan BootLimit = TimeSpan.FromMinutes(20);

    private readonly Lazy<(KernelGroundTruth Truth, ScriptRun Run)> boot;

    private QemuBoot(string arch, params string[] args)
    {
        Arch = arch;
        boot = new(() => RunBoot(args), LazyThreadSafetyMode.ExecutionAndPublication);
    }

    public static QemuBoot Amd64 { get; } = new("amd64");

    public static QemuBoot Arm64 { get; } = new("arm64", "--arch", "arm64");

    /// <summary>arm64 on a Cortex-A53 (r0p4, as qemu models it): ARM64_WORKAROUND_843419 is on.</summary>
    public static QemuBoot Arm64CortexA53 { get; } = new("arm64", "--arch", "arm64", "--cpu", "cortex-a53");

    /// <summary>s390x on qemu-system-s390x -M s390-ccw-virtio (TCG, qemu's default CPU).</summary>
    public static QemuBoot S390x { get; } = new("s390x", "--arch", "s390x");

    /// <summary>The boot of an arm64 CPU name (qemu's -cpu): the default cortex-a57, or cortex-a53.</summary>
    public static QemuBoot Arm64On(string cpu) => cpu switch
    {
        "cortex-a57" => Arm64,
        "cortex-a53" => Arm64CortexA53,
        _ => throw new ArgumentOutOfRangeException(nameof(cpu), cpu, "no arm64 boot for this CPU"),
    };

    /// <summary>32-bit ARM: the armmp kernel under qemu-system-arm -M virt,highmem=off -cpu cortex-a15.</summary>
    public static QemuBoot Armhf { get; } = new("armhf", "--arch", "armhf");

    /// <summary>32-bit x86: the 686 kernel under qemu-system-i386 -M pc -cpu qemu32.</summary>
    public static QemuBoot I386 { get; } = new("i386", "--arch", "i386");

    /// <summary>64-bit little-endian POWER: the powerpc64le kernel under qemu-system-ppc64 -M pseries -cpu power9.</summary>
    public static QemuBoot Ppc64el { get; } = new("ppc64el", "--arch", "ppc64el");

    /// <summary>64-bit little-endian MIPS: the 5kc-malta kernel under qemu-system-mips64el -M malta -cpu 5KEc.</summary>
    public static QemuBoot Mips64el { get; } = new("mips64el", "--arch", "mips64el");

    /// <summary>The Debian architecture booted (fetch-real.sh's name).</summary>
    public string Arch { get; }

    public KernelGroundTruth Truth => boot.Value.Truth;

    /// <summary>The KEY=VALUE lines of boot.sh (ABI, BOOT_SECONDS, ...).</summary>
    public IReadOnlyDictionary<string, string> BootValues => boot.Value.Run.Values;

    /// <summary>lib/modules/&lt;abi&gt; of the booted kernel, where the capture's module paths are relative to.</summary>
    public string ModulesDirectory
    {
        get
        {
            var tree = Real.RealInputs.Arch(Arch);
            tree.Abi.Should().Be(boot.Value.Run.Value("ABI"), "the fetched module tree must be the booted kernel's ABI");
            return tree.Modules;
        }
    }

    /// <summary>boot/config-&lt;abi&gt; of the booted kernel, for <c>load --sections --kernel-config</c>.</summary>
    public string KernelConfig => Path.Combine(Real.RealInputs.Arch(Arch).Root, "boot", $"config-{boot.Value.Run.Value("ABI")}");

    /// <summary>The vmlinux with symbols of the booted ABI (amd64: the -dbg package's; ppc64el: the image's own).</summary>
    public string Vmlinux
    {
        get
        {
            Real.RealInputs.Arch(Arch).Abi.Should().Be(boot.Value.Run.Value("ABI"), "the vmlinux must be the booted kernel's ABI");
            return Real.RealInputs.Vmlinux(Arch);
        }
    }

    public string ModulePath(ModuleAttempt m) => Path.Combine(ModulesDirectory, m.Path);

    private (KernelGroundTruth, ScriptRun) RunBoot(string[] args)
    {
        var run = ScriptRun.Start("scripts/qemu/boot.sh", BootLimit, args)
            .Succeeded($"scripts/qemu/boot.sh {string.Join(' ', args)}", $"the {Arch} ground truth");
        return (KernelGroundTruth.Read(run.Value("CAPTURE")), run);
    }
}
