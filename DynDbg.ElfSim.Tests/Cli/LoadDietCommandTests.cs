using System.Text.Json;
using DynDbg.ElfSim.Cli;

namespace DynDbg.ElfSim.Tests.Cli;

/// <summary><c>load</c> on diet images: the per-table report (golden), its JSON, exit codes and options.</summary>
[TestFixture]
public class LoadDietCommandTests
{
    private static string Golden(string name) => TestPaths.Golden(Path.Combine("diet-load", name));

    /// <summary>Runs load on samples named relative to samples/objs and prints their paths that way.</summary>
    private static (int Code, string Out, string Err) Load(params string[] args)
    {
        var full = args.Select(a => a.Contains("/diet/", StringComparison.Ordinal) ? Path.Combine(TestPaths.Samples, a) : a).ToArray();
        var (code, output, err) = CliRunner.Run(["load", .. full]);
        return (code, output.Replace(TestPaths.Samples + "/", ""), err);
    }

    [TestCase("x86_64/diet/v5-nosite/gamma.ko", "x86_64-v5-nosite-gamma.ko.txt", null, ExitCodes.CheckFailed)]
    [TestCase("x86_64/diet/v6/vmlinux", "x86_64-v6-vmlinux.txt", "v6", ExitCodes.CheckFailed)]
    [TestCase("s390x/diet/v5/beta.ko", "s390x-v5-beta.ko.txt", null, ExitCodes.Ok)]
    public void PerTableReport_MatchesTheGoldenFile(string input, string golden, string? diet, int exit)
    {
        var (code, output, err) = diet is null ? Load(input) : Load("--diet", diet, input);
        err.Should().BeEmpty();
        code.Should().Be(exit);
        output.Should().Be(File.ReadAllText(Golden(golden)));
    }

    [Test]
    public void Json_CarriesTheSameFacts()
    {
        var (code, output, _) = Load("--format", "json", "x86_64/diet/v5/vmlinux.o");
        code.Should().Be(ExitCodes.CheckFailed, "the unlinked vmlinux.o keeps its header in .gnu.linkonce.* (static DDG003)");
        using var doc = JsonDocument.Parse(output);
        var root = doc.RootElement;
        root.GetProperty("kind").GetString().Should().Be("builtin");
        root.GetProperty("diet").GetProperty("variant").GetString().Should().Be("v5");
        root.GetProperty("descriptors").GetProperty("count").GetInt32().Should().Be(25);
        root.GetProperty("descriptors").GetProperty("address").GetUInt64().Should().Be(0xffffffff81002258);
        var tables = root.GetProperty("tables").EnumerateArray().ToArray();
        tables.Select(t => (t.GetProperty("module").GetString(), t.GetProperty("base").GetInt32(), t.GetProperty("indexRange").GetString(),
            t.GetProperty("headerAtAdd").GetBoolean(), t.GetProperty("verdict").GetString())).Should().Equal(
            ("alpha", 0, "0..11", true, "ok"), ("beta", 12, "12..21", false, "ok"), ("epsilon", 22, "22..24", false, "ok"));
        root.GetProperty("findings").EnumerateArray().Select(f => f.GetProperty("id").GetString()).Should().Equal("DDG003");
    }

    [Test]
    public void SeveralInputs_AreLinkedAsOneModule()
    {
        var (code, output, _) = Load("x86_64/diet/v5/alpha_main.o", "x86_64/diet/v5/alpha_util.o");
        code.Should().Be(ExitCodes.Ok, output);
        output.Should().Contain("Kind:      loadable module").And.Contain("  alpha       0      0     12  0..11        header pair       created  ok");
    }

    [Test]
    public void Options_BaseMovesTheModule_AndBadValuesAreUsageErrors()
    {
        Load("--base", "ffffffffa0000000", "x86_64/diet/v5/alpha.ko").Out.Should().Contain("at 0xffffffffa0002120");
        Load("--base", "zz", "x86_64/diet/v5/alpha.ko").Code.Should().Be(ExitCodes.BadInput);
        Load("--diet", "v7", "x86_64/diet/v5/alpha.ko").Code.Should().Be(ExitCodes.BadInput);
        Load("--diet", "v5", TestPaths.Sample("x86_64", "alpha.ko")).Code.Should().Be(ExitCodes.BadInput, "a mainline table is not a diet image");
    }

    [Test]
    public void MainlineLoad_IsUnchanged()
    {
        var (code, output, _) = CliRunner.Run("load", TestPaths.Sample("x86_64", "alpha.ko"));
        code.Should().Be(ExitCodes.Ok);
        output.Should().Contain("Records:").And.NotContain("Verdict:");
    }
}
