using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;

namespace DynDbg.ElfSim.Tests;

/// <summary>
/// External tools the tests use as oracles (readelf, ld.bfd, as, zstd, gcc, qemu, ...). <c>.ci/run</c> installs every
/// one of them, so under CI (<c>CI=true</c>) a missing tool is a broken CI machine and fails the test; run locally
/// without it, the test is skipped and says which Debian package would run it. Skips that are about the platform
/// (no apt/dpkg, not Debian: the scripts' exit 3) are the caller's business and stay skips everywhere.
/// </summary>
public static class Tools
{
    /// <summary>Whether the tests run under CI: <c>CI=true</c> (or <c>1</c>), as GitHub, GitLab and .ci/run's callers set it.</summary>
    public static bool UnderCi =>
        Environment.GetEnvironmentVariable("CI") is { } v && (v.Equals("true", StringComparison.OrdinalIgnoreCase) || v == "1");

    public static bool Exists(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Any(d => d.Length > 0 && File.Exists(Path.Combine(d, name)));

    /// <summary>Fails (CI) or skips (locally) the current test unless every named tool is on PATH.</summary>
    public static void Require(params string[] names)
    {
        var missing = names.Where(n => !Exists(n)).ToArray();
        if (missing.Length > 0)
        {
            Missing(Describe(missing));
        }
    }

    /// <summary>
    /// For an optional comparison inside a test that has more to check: true when every named tool is on PATH;
    /// locally false when one is missing (the caller leaves the comparison out, and the test output says so);
    /// under CI a missing one fails the test.
    /// </summary>
    public static bool Available(params string[] names)
    {
        var missing = names.Where(n => !Exists(n)).ToArray();
        if (missing.Length == 0)
        {
            return true;
        }

        if (UnderCi)
        {
            Missing(Describe(missing));
        }

        TestContext.Out.WriteLine($"{Describe(missing)}: that comparison is left out");
        return false;
    }

    /// <summary>
    /// The one place a missing oracle ends a test: <see cref="Assert.Fail(string)"/> under CI, <see cref="Assert.Ignore(string)"/>
    /// otherwise. <paramref name="what"/> says what is missing and how to get it.
    /// </summary>
    [DoesNotReturn]
    public static void Missing(string what)
    {
        if (UnderCi)
        {
            Assert.Fail($"{what}; CI=true, and .ci/run installs it, so a missing oracle fails the test");
        }

        Assert.Ignore($"{what}; skipped here (under CI=true this fails)");
    }

    public static (int Code, string Out, string Err) Run(string file, params string[] args) => RunIn(null, file, args);

    public static (int Code, string Out, string Err) RunIn(string? directory, string file, params string[] args)
    {
        Require(file);
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (directory is not null)
        {
            psi.WorkingDirectory = directory;
        }

        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, stdout.Result, stderr);
    }

    private static string Describe(string[] missing)
    {
        var packages = missing.Select(PackageOf).Distinct().ToArray();
        return $"{string.Join(", ", missing)} {(missing.Length == 1 ? "is" : "are")} not installed (Debian: apt-get install {string.Join(' ', packages)})";
    }

    /// <summary>The Debian package that provides a tool, as .ci/run installs it.</summary>
    private static string PackageOf(string tool) => tool switch
    {
        "readelf" or "ld" or "ld.bfd" or "as" or "objdump" or "nm" or "c++filt" => "binutils",
        "clang++" => "clang",
        "zstd" => "zstd",
        "gcc" or "cc" => "gcc",
        "busybox" => "busybox-static",
        "cpio" => "cpio",
        "qemu-system-x86_64" or "qemu-system-i386" => "qemu-system-x86",
        _ when tool.StartsWith("qemu-system-", StringComparison.Ordinal) => "qemu-system",
        _ when tool.EndsWith("-ld.bfd", StringComparison.Ordinal) => "binutils-" + tool[..^"-ld.bfd".Length],
        _ => tool,
    };
}
