using System.Diagnostics;

namespace DynDbg.ElfSim.Tests;

/// <summary>External tools the tests use as oracles.</summary>
public static class Tools
{
    public static bool Exists(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Any(d => File.Exists(Path.Combine(d, name)));

    public static (int Code, string Out, string Err) Run(string file, params string[] args) => RunIn(null, file, args);

    public static (int Code, string Out, string Err) RunIn(string? directory, string file, params string[] args)
    {
        if (!Exists(file))
        {
            Assert.Ignore($"{file} is not installed (CI installs binutils); skipping");
        }

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
}
