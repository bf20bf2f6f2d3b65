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
        var expected = plain.RootElement.EnumerateArray().Where(f => f.TryGetProperty("file", out _)).SelectMany(f => f.GetProperty("findings").EnumerateArray().Select(x =>
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

    [Test]
    public void Json_EndsWithOneSummaryElement_CountingEveryFile_EvenWithFailuresOnly()
    {
        var (code, stdout, stderr) = CliRunner.Run("check", "--format", "json", Diet("v5-nosite"));
        code.Should().Be(ExitCodes.CheckFailed, stderr);
        using var doc = JsonDocument.Parse(stdout);
        var elements = doc.RootElement.EnumerateArray().ToArray();
        elements.Should().OnlyContain(e => e.EnumerateObject().First().Name == "schemaVersion" && e.GetProperty("schemaVersion").GetInt32() == JsonArrays.SchemaVersion);
        var files = elements[..^1];
        var summary = elements[^1];
        summary.GetProperty("kind").GetString().Should().Be("summary");
        summary.TryGetProperty("file", out _).Should().BeFalse("scripts select files by .file and .passed");
        summary.TryGetProperty("passed", out _).Should().BeFalse();
        files.All(f => f.TryGetProperty("file", out _)).Should().BeTrue();
        summary.GetProperty("files").GetInt32().Should().Be(files.Length);
        summary.GetProperty("failedFiles").GetInt32().Should().Be(files.Count(f => !f.GetProperty("passed").GetBoolean()));
        summary.GetProperty("passedFiles").GetInt32().Should().Be(files.Count(f => f.GetProperty("passed").GetBoolean()));
        summary.GetProperty("errorFiles").GetInt32().Should().Be(0);
        var ids = files.SelectMany(f => f.GetProperty("findings").EnumerateArray().Select(x => x.GetProperty("id").GetString()!)).ToArray();
        summary.GetProperty("findings").GetInt32().Should().Be(ids.Length).And.BePositive();
        summary.GetProperty("findingsById").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt32())
            .Should().BeEquivalentTo(ids.GroupBy(i => i).ToDictionary(g => g.Key, g => g.Count()));
        summary.GetProperty("seconds").GetDouble().Should().BeGreaterThanOrEqualTo(0);
        DateTime.Parse(summary.GetProperty("timestamp").GetString()!, System.Globalization.CultureInfo.InvariantCulture).Should().BeAfter(new DateTime(2020, 1, 1));

        var (_, thin, _) = CliRunner.Run("check", "--format", "json", "--failures-only", Diet("v5-nosite"));
        using var thinDoc = JsonDocument.Parse(thin);
        var thinSummary = thinDoc.RootElement.EnumerateArray().Last();
        thinDoc.RootElement.GetArrayLength().Should().Be(summary.GetProperty("failedFiles").GetInt32() + 1, "only the failed files, then the summary");
        thinSummary.GetProperty("files").GetInt32().Should().Be(files.Length, "the summary counts every file checked");
    }

    /// <summary>One file checked prints its object, as it did before the summary existed (scripts read
    /// <c>.passed</c>), with the summary as a member; an unreadable file is counted there.</summary>
    [Test]
    public void Json_OfOneFile_IsItsObject_WithTheSummaryAsAMember()
    {
        var (code, stdout, _) = CliRunner.Run("check", "--format", "json", "/dev/null");
        code.Should().Be(ExitCodes.BadInput);
        using var doc = JsonDocument.Parse(stdout);
        var file = doc.RootElement;
        file.ValueKind.Should().Be(JsonValueKind.Object);
        file.EnumerateObject().First().Name.Should().Be("schemaVersion");
        file.GetProperty("file").GetString().Should().Be("/dev/null");
        file.GetProperty("passed").GetBoolean().Should().BeFalse();
        file.GetProperty("error").GetProperty("id").GetString().Should().Be("ELF031");
        var summary = file.GetProperty("summary");
        summary.GetProperty("files").GetInt32().Should().Be(1);
        summary.GetProperty("errorFiles").GetInt32().Should().Be(1);
        summary.GetProperty("failedFiles").GetInt32().Should().Be(0);
        summary.TryGetProperty("kind", out _).Should().BeFalse("the member is the counts only; kind marks the array's element");
    }

    [Test]
    public void Json_OfOneFailingFile_HasTheSameCountsAsTheArraysSummary()
    {
        var one = Path.Combine(Diet("v5-nosite"), "alpha_main.o");
        var (code, stdout, _) = CliRunner.Run("check", "--format", "json", one);
        code.Should().Be(ExitCodes.CheckFailed);
        var (_, pair, _) = CliRunner.Run("check", "--format", "json", one, one);
        using var single = JsonDocument.Parse(stdout);
        using var twice = JsonDocument.Parse(pair);
        single.RootElement.GetProperty("passed").GetBoolean().Should().BeFalse();
        var counts = single.RootElement.GetProperty("summary");
        var last = twice.RootElement[twice.RootElement.GetArrayLength() - 1];
        last.GetProperty("kind").GetString().Should().Be("summary", "several inputs keep the array and its summary element");
        counts.GetProperty("findingsById").GetRawText().Should().NotBe("{}");
        last.GetProperty("findings").GetInt32().Should().Be(2 * counts.GetProperty("findings").GetInt32());
        counts.EnumerateObject().Select(p => p.Name).Should().Equal(last.EnumerateObject().Select(p => p.Name).Except(["schemaVersion", "kind"]));
    }

    /// <summary>--failures-only hides a single passing file; the object then carries only the summary.</summary>
    [Test]
    public void Json_OfOnePassingFile_WithFailuresOnly_IsTheSummaryAlone()
    {
        var (code, stdout, _) = CliRunner.Run("check", "--format", "json", "--failures-only", TestPaths.Sample("x86_64", "gamma.ko"));
        code.Should().Be(ExitCodes.Ok);
        using var doc = JsonDocument.Parse(stdout);
        doc.RootElement.EnumerateObject().Select(p => p.Name).Should().Equal("schemaVersion", "summary");
        doc.RootElement.GetProperty("summary").GetProperty("passedFiles").GetInt32().Should().Be(1);
    }

    [Test]
    public void Text_EndsWithTheSummaryLine()
    {
        var (_, stdout, _) = CliRunner.Run("check", Diet("v5-nosite"));
        stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1].Should().MatchRegex(@"^checked \d+ files: \d+ passed, \d+ failed, 0 unreadable; \d+ hazards reported$");
    }
}
