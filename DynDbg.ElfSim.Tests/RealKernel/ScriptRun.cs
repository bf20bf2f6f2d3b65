using System.Diagnostics;
using System.Text;

namespace DynDbg.ElfSim.Tests.RealKernel;

/// <summary>
/// One run of a repository bash script: no stdin, a hard time limit (the whole process tree is killed after
/// it), stdout parsed as the scripts' KEY=VALUE contract, stderr kept for the one-line reason of a failure.
/// </summary>
public sealed record ScriptRun(string Script, int ExitCode, IReadOnlyDictionary<string, string> Values, string StdErr)
{
    public static ScriptRun Start(string script, TimeSpan limit, params string[] args)
    {
        var psi = new ProcessStartInfo("bash")
        {
            WorkingDirectory = TestPaths.Root,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add(Path.Combine(TestPaths.Root, script));
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        Process process;
        try
        {
            process = Process.Start(psi) ?? throw new InvalidOperationException("Process.Start returned null");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            Assert.Ignore($"{script}: bash cannot be started on this platform ({e.Message})");
            throw; // not reached
        }

        using (process)
        {
            process.StandardInput.Close();
            var stdout = new StringBuilder();
            var stderr = new StringBuilder();
            process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (stdout) { stdout.AppendLine(e.Data); } } };
            process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (stderr) { stderr.AppendLine(e.Data); } } };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            if (!process.WaitForExit(limit))
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit();
                Assert.Fail($"{script} {string.Join(' ', args)}: still running after {limit.TotalSeconds:0} s; killed");
            }

            process.WaitForExit(); // drains the asynchronous readers
            var values = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var line in stdout.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                var eq = line.IndexOf('=');
                if (eq > 0)
                {
                    values[line[..eq]] = line[(eq + 1)..].TrimEnd('\r');
                }
            }

            return new ScriptRun(script, process.ExitCode, values, stderr.ToString());
        }
    }

    /// <summary>
    /// The ground-truth scripts' contract: exit 3 ("this platform cannot run the harness") ignores the calling test,
    /// except under CI=true, where the ground truth must not silently go missing and it fails; any other non-zero
    /// exit fails it. <paramref name="what"/> names the run and <paramref name="truth"/> the ground truth in the message.
    /// </summary>
    public ScriptRun Succeeded(string what, string truth)
    {
        if (ExitCode == 3)
        {
            var why = $"{what} cannot run on this platform: {Reason}";
            if (Tools.UnderCi)
            {
                Assert.Fail($"CI=true: {truth} is required. {why}");
            }

            Assert.Ignore(why);
        }

        if (ExitCode != 0)
        {
            Assert.Fail($"{what} exited {ExitCode}: {Reason}");
        }

        return this;
    }

    /// <summary>The last line the script wrote to stderr: by contract, the reason it failed.</summary>
    public string Reason => StdErr.TrimEnd().Split('\n').LastOrDefault()?.Trim() ?? "";

    public string Value(string key) =>
        Values.TryGetValue(key, out var v) ? v : throw new AssertionException($"{Script} printed no {key}= line; stderr: {Reason}");
}
