using System.Diagnostics;

namespace DynDbg.ElfSim.Tests.Compression;

/// <summary>
/// Debian's real kernels through <c>scripts/fetch-real.sh</c> (it downloads once into the cache, then answers in
/// milliseconds): its KEY=VALUE lines, e.g. <c>VMLINUX_amd64</c>, <c>MODULES_s390x</c>.
/// </summary>
public static class RealKernel
{
    private static readonly Lazy<IReadOnlyDictionary<string, string>> Keys = new(Fetch);

    public static string Get(string key) =>
        Keys.Value.TryGetValue(key, out var v) ? v : throw new AssertionException($"scripts/fetch-real.sh printed no {key}");

    /// <summary>The .ko files under MODULES_&lt;arch&gt;, sorted.</summary>
    public static IReadOnlyList<string> Modules(string arch) =>
        Directory.EnumerateFiles(Get($"MODULES_{arch}"), "*.ko", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList();

    private static IReadOnlyDictionary<string, string> Fetch()
    {
        var psi = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = TestPaths.Root };
        psi.ArgumentList.Add("scripts/fetch-real.sh");
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        var output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0)
        {
            throw new AssertionException($"scripts/fetch-real.sh exited {p.ExitCode}: {err.Result}");
        }

        return output.Split('\n').Where(l => l.Contains('=')).Select(l => l.Split('=', 2)).ToDictionary(kv => kv[0], kv => kv[1]);
    }
}
