using System.Text.Json;
using System.Text.RegularExpressions;
using DynDbg.ElfSim.Checks;
using DynDbg.ElfSim.Cli;
using DynDbg.ElfSim.Reports;

namespace DynDbg.ElfSim.Tests.Cli;

/// <summary>
/// <c>check</c>'s CI-native outputs (issue 15): SARIF 2.1.0 with one rule per ID and results located by file and
/// byte offset, GitHub workflow annotations, and <c>--failures-only</c>. The inputs are the x86_64 diet samples:
/// unlinked objects fail DDG003, linked v5-nosite images pass with their §7.1 hazards.
/// </summary>
[TestFixture]
public class CheckCiFormatTests
{
    private static string Diet(string variant) => TestPaths.Sample("x86_64", Path.Combine("diet", variant));

    [Test]
    public void Sarif_HasTheRequiredShape_OneRulePerId_AndEveryFindingAsAResult()
    {
        var (code, stdout, stderr) = CliRunner.Run("check", "--format", "sarif", Diet("v5-nosite"));
        code.Should().Be(ExitCodes.CheckFailed, stderr);
        using var doc = JsonDocument.Parse(stdout);
        var root = doc.RootElement;
        root.GetProperty("version").GetString().Should().Be(CheckCiReport.SarifVersion);
        root.GetProperty("$schema").GetString().Should().Be(CheckCiReport.SarifSchema);
        var run = root.GetProperty("runs").EnumerateArray().Should().ContainSingle().Subject;
        var driver = run.GetProperty("tool").GetProperty("driver");
        driver.GetProperty("name").GetString().Should().Be("dyndbg-elfsim");
        var rules = driver.GetProperty("rules").EnumerateArray().Select(r => r.GetProperty("id").GetString()!).ToArray();
        rules.Should().OnlyHaveUniqueItems().And.Contain(CheckIds.HeaderNotFirst).And.Contain(CheckIds.IndexOverlapsFormat);

        // The same findings as the JSON report, each located by the file and its byte offset.
        var (_, json, _) = CliRunner.Run("check", "--format", "json", Diet("v5-nosite"));
        using var plain = JsonDocument.Parse(json);
        var expected = plain.RootElement.EnumerateArray().SelectMany(f => f.GetProperty("findings").EnumerateArray().Select(x =>
            (File: f.GetProperty("file").GetString()!, Id: x.GetProperty("id").GetString()!, Offset: x.GetProperty("fileOffset").GetUInt64(),
                Level: x.GetProperty("severity").GetString() == "error" ? "error" : "warning"))).ToArray();
        var results = run.GetProperty("results").EnumerateArray().Select(r =>
        {
            var id = r.GetProperty("ruleId").GetString()!;
            rules[r.GetProperty("ruleIndex").GetInt32()].Should().Be(id);
            r.GetProperty("message").GetProperty("text").GetString().Should().Contain(id);
            var loc = r.GetProperty("locations")[0].GetProperty("physicalLocation");
            var uri = loc.GetProperty("artifactLocation").GetProperty("uri").GetString()!;
            return (File: uri, Id: id, Offset: loc.GetProperty("region").GetProperty("byteOffset").GetUInt64(), Level: r.GetProperty("level").GetString()!);
        }).ToArray();
        results.Should().Equal(expected.Select(e => e with { File = new Uri(e.File).AbsoluteUri }));
        stdout.Should().Contain("§8.3", "the relaxed encoder leaves § as it is");
    }

    [Test]
    public void Sarif_NamesAnUnreadableFile_UnderItsErrorId()
    {
        var (code, stdout, _) = CliRunner.Run("check", "--format", "sarif", "/dev/null");
        code.Should().Be(ExitCodes.BadInput);
        using var doc = JsonDocument.Parse(stdout);
        var result = doc.RootElement.GetProperty("runs")[0].GetProperty("results").EnumerateArray().Should().ContainSingle().Subject;
        result.GetProperty("ruleId").GetString().Should().Be("ELF031");
        result.GetProperty("level").GetString().Should().Be("error");
    }

    [Test]
    public void GitHub_OneWorkflowCommandPerFinding_WithTheEscapesOfActionsCore()
    {
        var (code, stdout, _) = CliRunner.Run("check", "--format", "github", Diet("v5-nosite"));
        code.Should().Be(ExitCodes.CheckFailed);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines.Should().NotBeEmpty().And.OnlyContain(l => Regex.IsMatch(l, @"^::(error|warning) file=[^,:]+,title=[^,:]+::.+$"));
        lines.Should().Contain(l => l.StartsWith("::error ", StringComparison.Ordinal) && l.Contains("title=DDG003 ", StringComparison.Ordinal));
        lines.Should().Contain(l => l.StartsWith("::warning ", StringComparison.Ordinal) && l.Contains("title=DDH01 Hazard%3A ", StringComparison.Ordinal));
    }

    [Test]
    public void FailuresOnly_ShowsNoPassingFile_ButTheSummaryCountsThemAll()
    {
        var (_, all, _) = CliRunner.Run("check", Diet("v5-nosite"));
        var (code, failures, _) = CliRunner.Run("check", "--failures-only", Diet("v5-nosite"));
        code.Should().Be(ExitCodes.CheckFailed);
        all.Should().Contain("PASS ");
        failures.Should().NotContain("PASS ").And.Contain("FAIL ");
        failures.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1].Should().Be(all.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1]);
    }
}
