using System.Globalization;
using DynDbg.ElfSim.Compression.Zram;

namespace DynDbg.ElfSim.Tests.RealKernel;

/// <summary>
/// The zram ground truth (issue 16): <c>scripts/qemu/zram-blobs.sh</c> cuts the blobs out of Debian's amd64 kernel
/// (the diet ones through this build's <c>diet</c> command), and <c>scripts/qemu/boot.sh --zram</c> boots the amd64
/// kernel, which writes each blob to a fresh /dev/zram0 with each algorithm and records mm_stat, stat, debugfs
/// (docs/ground-truth.md, "zram"). Booted once per test run, and only when the cache has no capture of these
/// inputs; exit 3 ignores the tests, except under CI=true, where it fails them.
/// </summary>
public sealed class ZramCapture
{
    private static readonly Lazy<ZramCapture> Instance = new(Boot, LazyThreadSafetyMode.ExecutionAndPublication);

    private ZramCapture(string dir, IReadOnlyDictionary<string, string> values)
    {
        Directory = dir;
        Values = values;
        Blobs = System.IO.Directory.GetFiles(Path.Combine(dir, "blobs")).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList()!;
    }

    public static ZramCapture Get => Instance.Value;

    /// <summary>The capture directory (boot.sh's CAPTURE=).</summary>
    public string Directory { get; }

    /// <summary>boot.sh's KEY=VALUE lines.</summary>
    public IReadOnlyDictionary<string, string> Values { get; }

    /// <summary>The blob names, sorted.</summary>
    public IReadOnlyList<string> Blobs { get; }

    /// <summary>The blob exactly as the guest wrote it (zero-padded to whole pages).</summary>
    public byte[] Blob(string name) => File.ReadAllBytes(Path.Combine(Directory, "blobs", name));

    public string Run(ZramAlgorithm algorithm, string blob, string file) =>
        File.ReadAllText(Path.Combine(Directory, "zram", algorithm.Name(), blob, file));

    /// <summary>/sys/block/zram0/mm_stat after the write: the nine numbers.</summary>
    public long[] MmStat(ZramAlgorithm algorithm, string blob) =>
        Run(algorithm, blob, "mm_stat").Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(x => long.Parse(x, CultureInfo.InvariantCulture)).ToArray();

    /// <summary>debugfs zram0/block_state: per stored page its index and flags (s same, w written back, h huge, i idle).</summary>
    public IReadOnlyList<(long Index, string Flags)> BlockState(ZramAlgorithm algorithm, string blob) =>
        Run(algorithm, blob, "block_state").Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Select(p => (long.Parse(p[0], CultureInfo.InvariantCulture), p[2])).ToList();

    private static ZramCapture Boot()
    {
        var blobs = Path.Combine(Path.GetTempPath(), $"dyndbg-zram-blobs-{Environment.ProcessId}");
        try
        {
            // diet through this build: the AOT binary when DYNDBG_ELFSIM_EXE names it, else the library next to the tests
            var tool = Cli.CliRunner.Executable ?? $"dotnet {Path.Combine(AppContext.BaseDirectory, "DynDbg.ElfSim.dll")}";
            ScriptRun.Start("scripts/qemu/zram-blobs.sh", TimeSpan.FromMinutes(20), blobs, "--diet-tool", tool)
                .Succeeded("scripts/qemu/zram-blobs.sh", "the zram ground truth");
            var boot = ScriptRun.Start("scripts/qemu/boot.sh", TimeSpan.FromMinutes(20), "--zram", blobs)
                .Succeeded("scripts/qemu/boot.sh --zram", "the zram ground truth");
            return new ZramCapture(boot.Value("CAPTURE"), boot.Values);
        }
        finally
        {
            if (System.IO.Directory.Exists(blobs))
            {
                System.IO.Directory.Delete(blobs, recursive: true);
            }
        }
    }
}
