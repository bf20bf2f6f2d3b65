using System.Diagnostics;

namespace DynDbg.ElfSim.Tests.Control;

/// <summary>
/// Debian's amd64 kernel from <c>scripts/fetch-real.sh --arch amd64</c> (a no-op on a warm cache): the module
/// tree, the <c>-dbg</c> vmlinux and the ABI, for the control tests in the <c>Real</c> category. Exit 3 (no
/// Debian host) ignores the test. (The Real/ folder of wip/load has the general helper for all arches.)
/// </summary>
public static class RealAmd64
{
    private static readonly Lazy<(IReadOnlyDictionary<string, string> Values, int Exit, string Stderr)> Fetched = new(Fetch);

    public static string Abi => Value("ABI_amd64");

    public static string Modules => Value("MODULES_amd64");

    public static string Vmlinux => Value("VMLINUX_amd64");

    /// <summary>A module by its path under <c>kernel/</c>, e.g. <c>net/bluetooth/bnep/bnep.ko</c>.</summary>
    public static string Module(string relative) => Path.Combine(Modules, "kernel", relative);

    private static string Value(string key)
    {
        var (values, exit, stderr) = Fetched.Value;
        if (exit == 3)
        {
            Assert.Ignore($"real kernel inputs unavailable (fetch-real.sh exit 3): {stderr}");
        }

        if (!values.TryGetValue(key, out var v))
        {
            Assert.Fail($"fetch-real.sh --arch amd64 (exit {exit}) reported no {key}: {stderr}");
        }

        return v!;
    }

    private static (IReadOnlyDictionary<string, string>, int, string) Fetch()
    {
        var psi = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(Path.Combine(TestPaths.Root, "scripts", "fetch-real.sh"));
        psi.ArgumentList.Add("--arch");
        psi.ArgumentList.Add("amd64");
        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        var stdout = p.StandardOutput.ReadToEnd();
        if (!p.WaitForExit(TimeSpan.FromMinutes(20)))
        {
            p.Kill(entireProcessTree: true);
            Assert.Fail("fetch-real.sh --arch amd64 did not finish in 20 minutes");
        }

        var values = stdout.Split('\n').Select(l => l.Split('=', 2)).Where(kv => kv.Length == 2).ToDictionary(kv => kv[0], kv => kv[1]);
        var err = string.Join(" | ", stderr.Result.Split('\n', StringSplitOptions.RemoveEmptyEntries).TakeLast(5));
        return (values, p.ExitCode, err);
    }
}
