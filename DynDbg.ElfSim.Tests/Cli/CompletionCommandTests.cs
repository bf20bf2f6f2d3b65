using System.Diagnostics;
using DynDbg.ElfSim.Cli;

namespace DynDbg.ElfSim.Tests.Cli;

/// <summary><c>completion bash|zsh|fish</c> (issue 15): the bash script is sourced in a real bash and asked what a
/// user's Tab would get; zsh and fish are checked for the definitions they must carry.</summary>
[TestFixture]
public class CompletionCommandTests
{
    private static string[] Complete(string script, params string[] words)
    {
        var path = Path.Combine(TestContext.CurrentContext.WorkDirectory, $"completion-{Guid.NewGuid():N}.bash");
        File.WriteAllText(path, script);
        var psi = new ProcessStartInfo("bash") { RedirectStandardOutput = true, UseShellExecute = false };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add($"source '{path}'; COMP_WORDS=({string.Join(' ', words.Select(w => $"'{w}'"))}); COMP_CWORD={words.Length - 1}; _dyndbg_elfsim; printf '%s\\n' \"${{COMPREPLY[@]}}\"");
        using var p = Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        File.Delete(path);
        p.ExitCode.Should().Be(0);
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    [Test]
    public void Bash_CompletesCommandsOptionsAndFixedValues_FromTheParsersOwnDefinitions()
    {
        Tools.Require("bash");
        var (code, script, _) = CliRunner.Run("completion", "bash");
        code.Should().Be(ExitCodes.Ok);
        Complete(script, "dyndbg-elfsim", "lo").Should().Equal("load");
        Complete(script, "dyndbg-elfsim", "rep").Should().Equal("report");
        Complete(script, "dyndbg-elfsim", "report", "--diet", "v").Should().BeEquivalentTo("v5", "v5-nosite", "v6");
        Complete(script, "dyndbg-elfsim", "c").Should().BeEquivalentTo("check", "control", "compress", "completion");
        Complete(script, "dyndbg-elfsim", "check", "--format", "s").Should().Equal("sarif");
        Complete(script, "dyndbg-elfsim", "check", "--fa").Should().Equal("--failures-only");
        Complete(script, "dyndbg-elfsim", "load", "--diet", "v5-").Should().Equal("v5-nosite");
        Complete(script, "dyndbg-elfsim", "load", "--sep").Should().Equal("--separate");
        Complete(script, "dyndbg-elfsim", "load", "--separate", "--con").Should().Equal(new[] { "--control" }, "flags take no value: the next word is an option again");
    }

    [TestCase("zsh", "bashcompinit", "complete -o filenames -F _dyndbg_elfsim dyndbg-elfsim DynDbg.ElfSim")]
    [TestCase("fish", "complete -c dyndbg-elfsim -n __fish_use_subcommand -f -a check", "complete -c DynDbg.ElfSim -n '__fish_seen_subcommand_from check' -l format -x -a 'github json junit sarif text'")]
    public void OtherShells_CarryTheSameDefinitions(string shell, string first, string second)
    {
        var (code, script, _) = CliRunner.Run("completion", shell);
        code.Should().Be(ExitCodes.Ok);
        script.Should().Contain(first).And.Contain(second);
    }
}
