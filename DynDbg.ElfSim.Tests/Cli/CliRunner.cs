using System.Diagnostics;
using System.Text;
using DynDbg.ElfSim.Cli;

namespace DynDbg.ElfSim.Tests.Cli;

/// <summary>
/// Runs the CLI and captures what it prints: in-process by default, or, when <c>DYNDBG_ELFSIM_EXE</c> names an
/// executable (the native AOT binary that users run; .ci/run publishes it and runs the unit tests again with it),
/// as that separate process, so every CLI test also checks the shipped binary.
/// </summary>
public static class CliRunner
{
    /// <summary>The executable under test, or null for in-process runs.</summary>
    public static string? Executable { get; } = Environment.GetEnvironmentVariable("DYNDBG_ELFSIM_EXE") is { Length: > 0 } exe ? Path.GetFullPath(exe) : null;

    public static (int Code, string Out, string Err) Run(params string[] args)
    {
        if (Executable is { } exe)
        {
            return RunProcess(exe, args);
        }

        var o = new StringWriter { NewLine = "\n" };
        var e = new StringWriter { NewLine = "\n" };
        var code = Program.Run(args, new CliOutput(o, e));
        return (code, o.ToString(), e.ToString());
    }

    private static (int Code, string Out, string Err) RunProcess(string exe, string[] args)
    {
        var psi = new ProcessStartInfo(exe)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var p = Process.Start(psi)!;
        p.StandardInput.Close();
        var err = p.StandardError.ReadToEndAsync();
        var output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, output, err.Result);
    }
}
