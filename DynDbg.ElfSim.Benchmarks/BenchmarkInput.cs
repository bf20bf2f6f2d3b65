using System.Diagnostics;
using DynDbg.ElfSim.Compression;
using DynDbg.ElfSim.DynDbg;
using DynDbg.ElfSim.Elf;

namespace DynDbg.ElfSim.Benchmarks;

/// <summary>The site table the benchmarks run on, and where it came from.</summary>
public static class BenchmarkInput
{
    public const string Variable = "DYNDBG_ELFSIM_BENCH_INPUT";

    private static readonly Lazy<SiteTable> TableLazy = new(Load);

    public static SiteTable Table => TableLazy.Value;

    private static SiteTable Load()
    {
        var path = Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } p ? p : CachedVmlinux() ?? SampleVmlinux();
        using var file = ElfFile.Open(path);
        var table = SiteTable.From(file, MainlineImage.Load(file));
        Console.WriteLine($"// input: {path}: {table.Count} records");
        return table;
    }

    /// <summary>VMLINUX_amd64 from <c>scripts/fetch-real.sh --print</c> (cache only, no download).</summary>
    private static string? CachedVmlinux()
    {
        var script = Path.Combine(RepoRoot(), "scripts", "fetch-real.sh");
        if (!File.Exists(script))
        {
            return null;
        }

        var psi = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(script);
        psi.ArgumentList.Add("--print");
        using var proc = Process.Start(psi)!;
        var lines = proc.StandardOutput.ReadToEnd().Split('\n');
        proc.WaitForExit();
        var line = lines.FirstOrDefault(l => l.StartsWith("VMLINUX_amd64=", StringComparison.Ordinal));
        return line?["VMLINUX_amd64=".Length..];
    }

    private static string SampleVmlinux() => Path.Combine(RepoRoot(), "samples", "objs", "x86_64", "vmlinux.o");

    private static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "DynDbgElfSim.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? Directory.GetCurrentDirectory();
    }
}
