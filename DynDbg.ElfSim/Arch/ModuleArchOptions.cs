namespace DynDbg.ElfSim.Arch;

/// <summary>
/// What an architecture hook needs to know about the machine the module is loaded on, beyond the kernel config.
/// </summary>
/// <param name="Erratum843419">
/// arm64: the CPU has <c>ARM64_WORKAROUND_843419</c> (Cortex-A53 r0p0–r0p4, with CONFIG_ARM64_ERRATUM_843419=y), so
/// <c>count_plts</c> also sizes ADRP veneers and raises text alignment. False for the cortex-a57 the harness boots.
/// </param>
public sealed record ModuleArchOptions(bool Erratum843419 = false)
{
    /// <summary>The CPU the arm64 harness boots (scripts/qemu/boot.sh --arch arm64).</summary>
    public const string DefaultCpu = "cortex-a57";

    public static ModuleArchOptions Default { get; } = new();

    /// <summary>The CPU names <see cref="ForCpu"/> knows (qemu's -cpu names).</summary>
    public static IReadOnlyList<string> Cpus { get; } = ["cortex-a53", "cortex-a57", "cortex-a72", "max"];

    /// <summary>
    /// arch/arm64/kernel/cpu_errata.c: ARM64_WORKAROUND_843419 for Cortex-A53 r0p0–r0p4 (every A53 qemu models);
    /// CONFIG_ARM64_ERRATUM_843419=y is taken as given (Debian's arm64 config).
    /// </summary>
    public static ModuleArchOptions ForCpu(string cpu) => cpu switch
    {
        "cortex-a53" => new ModuleArchOptions(Erratum843419: true),
        _ when Cpus.Contains(cpu) => Default,
        _ => throw new ArgumentOutOfRangeException(nameof(cpu), cpu, $"not one of {string.Join(", ", Cpus)}"),
    };
}
