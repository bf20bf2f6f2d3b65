using DynDbg.ElfSim.Cli;

namespace DynDbg.ElfSim.Tests.Cli;

/// <summary><c>manpage</c> (issue 15): rendered by groff's man macros with every warning on, it must render clean
/// and list every command and every option of the parser.</summary>
[TestFixture]
public class ManPageCommandTests
{
    [Test]
    public void RendersWithoutAGroffWarning_AndListsEveryCommandAndOption()
    {
        Tools.Require("groff");
        var (code, roff, _) = CliRunner.Run("manpage");
        code.Should().Be(ExitCodes.Ok);
        var path = Path.Combine(TestContext.CurrentContext.WorkDirectory, "dyndbg-elfsim.1");
        File.WriteAllText(path, roff);
        var (rc, text, warnings) = Tools.Run("groff", "-man", "-Tutf8", "-ww", "-P", "-c", path);
        rc.Should().Be(0);
        warnings.Should().BeEmpty();
        var plain = System.Text.RegularExpressions.Regex.Replace(text, ".\b", "").Replace("\u2010", "-").Replace("\u2212", "-");
        foreach (var command in new[] { "load", "check", "control", "compress", "zram", "link", "explain", "report", "diet", "synth", "completion" })
        {
            System.Text.RegularExpressions.Regex.IsMatch(plain, $"(?m)^   {command}( |$)").Should().BeTrue($"the {command} command has a section");
        }

        foreach (var option in new[] { "--script", "--failures-only", "--changed", "--kernel-config", "--callsites", "-Map", "--pool" })
        {
            plain.Should().Contain(option);
        }

        plain.Should().Contain("EXIT STATUS");
    }
}
