using System.Diagnostics;

namespace DynDbg.ElfSim.Tests;

/// <summary>
/// An oracle compiled from Debian's linux-source-6.1 by one of the repository's <c>scripts/*/build.sh</c>
/// (<c>control-oracle</c>: lib/dynamic_debug.c; <c>zram-oracle</c>: lib/lzo, lib/lz4, lib/zstd, mm/zsmalloc.c's size
/// classes; <c>vmlinux-o</c>: a real x86_64 vmlinux.o, printed as <c>VMLINUX_O=</c>). The script prints
/// <c>ORACLE=&lt;path&gt;</c> and caches the build, so a warm run costs nothing. Tests using
/// one are in the <c>KernelSource</c> category; they are ignored, not failed, when the host cannot provide the source
/// package (exit 3: no apt/dpkg, or an archive without linux-source-6.1). A missing build tool (the C compiler, tar,
/// xz, python3: also exit 3) is a missing oracle tool instead, which fails the tests under CI (<see cref="Tools.Missing"/>).
/// </summary>
public sealed class KernelSourceBuild
{
    private readonly string script;
    private readonly string[] arguments;
    private readonly string key;
    private readonly TimeSpan timeout;
    private readonly Lazy<(string? Path, string Message)> built;

    /// <param name="key">The stdout line's prefix that names the product.</param>
    /// <param name="minutes">How long a cold build may take (a kernel build takes longer than an oracle's).</param>
    /// <param name="arguments">The script's arguments (vmlinux-o: the Debian architecture).</param>
    public KernelSourceBuild(string scriptRelativeToRoot, string key = "ORACLE=", int minutes = 10, params string[] arguments)
    {
        script = scriptRelativeToRoot;
        this.arguments = arguments;
        this.key = key;
        timeout = TimeSpan.FromMinutes(minutes);
        built = new(Build, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>The built oracle's path, or an ignored test when it cannot be built on this platform (failed under CI
    /// when only a build tool is missing).</summary>
    public string Path
    {
        get
        {
            var (path, message) = built.Value;
            if (path is not null)
            {
                return path;
            }

            // build.sh's exit 3 covers both; tell them apart as it does: apt first, then the build tools.
            if (new[] { "apt-get", "apt-cache", "dpkg-deb" }.All(Tools.Exists))
            {
                var cc = Environment.GetEnvironmentVariable("CC") is { Length: > 0 } c ? c : "gcc";
                Tools.Require(cc, "tar", "xz", "python3");
            }

            Assert.Ignore(message);
            return null!; // unreachable: Assert.Ignore throws
        }
    }

    private (string?, string) Build()
    {
        var full = System.IO.Path.Combine(TestPaths.Root, script);
        var psi = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(full);
        foreach (var a in arguments)
        {
            psi.ArgumentList.Add(a);
        }

        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        var stdout = p.StandardOutput.ReadToEnd();
        if (!p.WaitForExit(timeout))
        {
            p.Kill(entireProcessTree: true);
            Assert.Fail($"{full} did not finish in {timeout.TotalMinutes} minutes");
        }

        var path = stdout.Split('\n').FirstOrDefault(l => l.StartsWith(key, StringComparison.Ordinal))?[key.Length..];
        return p.ExitCode switch
        {
            0 when path is not null => (path, ""),
            3 => (null, $"{script}: oracle unavailable here (exit 3): {stderr.Result.Trim()}"),
            _ => throw new InvalidOperationException($"{full} failed with exit {p.ExitCode}: {stderr.Result.Trim()}"),
        };
    }
}
