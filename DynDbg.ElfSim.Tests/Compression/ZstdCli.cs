using System.Diagnostics;

namespace DynDbg.ElfSim.Tests.Compression;

/// <summary>Runs the <c>zstd</c> command line (Debian package <c>zstd</c>) for cross-checks.</summary>
public static class ZstdCli
{
    public static bool Exists => Run(["--version"], out _, out _) == 0;

    /// <summary>Fails (CI) or skips (locally) the test unless <c>zstd --version</c> runs.</summary>
    public static void Require()
    {
        if (!Exists)
        {
            Tools.Missing("the zstd command line does not run (Debian: apt-get install zstd)");
        }
    }

    public static int Run(IEnumerable<string> args, out string stdout, out string stderr, string? workDir = null)
    {
        var psi = new ProcessStartInfo("zstd") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = workDir ?? "" };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        try
        {
            using var p = Process.Start(psi)!;
            var err = p.StandardError.ReadToEndAsync();
            stdout = p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            stderr = err.Result;
            return p.ExitCode;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            (stdout, stderr) = ("", e.Message);
            return -1;
        }
    }

    /// <summary>Runs zstd and fails the test with its stderr when it does not exit 0.</summary>
    public static string Check(params string[] args)
    {
        var code = Run(args, out var o, out var e);
        code.Should().Be(0, $"zstd {string.Join(' ', args)}: {e}");
        return o + e;
    }
}
