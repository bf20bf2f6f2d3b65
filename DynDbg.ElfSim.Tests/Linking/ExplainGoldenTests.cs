namespace DynDbg.ElfSim.Tests.Linking;

/// <summary>
/// Pins <c>explain</c>'s text. Each <c>Golden/explain-NAME.txt</c> starts with directives (<c>#source:</c> files to
/// assemble, <c>#as:</c> flags, <c>#args:</c> the command line after <c>explain</c>); every other line is the exact
/// expected output. The layouts themselves are checked against ld.bfd by the layout goldens and differential tests;
/// these pin how they are told: the script line per section, the orphan reasons, the header's element index.
/// </summary>
[TestFixture]
[NonParallelizable] // RunCliIn sets the process-wide current directory
public class ExplainGoldenTests
{
    public static IEnumerable<TestCaseData> Goldens() =>
        Directory.EnumerateFiles(Path.Combine(TestPaths.FindRoot(), "DynDbg.ElfSim.Tests", "Linking", "Golden"), "explain-*.txt")
            .Order(StringComparer.Ordinal)
            .Select(p => new TestCaseData(Path.GetFileNameWithoutExtension(p)).SetName($"Explain_{Path.GetFileNameWithoutExtension(p)}"));

    [TestCaseSource(nameof(Goldens))]
    public void OutputMatchesTheGolden(string name)
    {
        Tools.Require("as");

        var sources = new List<string>();
        string asFlags = "--64";
        string[] args = [];
        var expected = new List<string>();
        foreach (var line in File.ReadAllLines(Path.Combine(GoldenLinkTests.GoldenDir, name + ".txt")))
        {
            if (line.StartsWith("#source:", StringComparison.Ordinal))
            {
                sources.Add(line["#source:".Length..].Trim());
            }
            else if (line.StartsWith("#as:", StringComparison.Ordinal))
            {
                asFlags = line["#as:".Length..].Trim();
            }
            else if (line.StartsWith("#args:", StringComparison.Ordinal))
            {
                args = line["#args:".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            }
            else
            {
                expected.Add(line);
            }
        }

        var (dir, _) = GoldenLinkTests.Assemble(name, sources, asFlags);
        var (code, stdout, stderr) = GoldenLinkTests.RunCliIn(dir, ["explain", .. args]);

        code.Should().Be(0, stderr);
        stdout.Split('\n').Should().Equal([.. expected, ""], $"explain {string.Join(' ', args)} must print Golden/{name}.txt");
    }

    [Test]
    public void AnUnknownScriptFailsInOneLine()
    {
        var (code, stdout, stderr) = Cli.CliRunner.Run("explain", "-T", "no-such.lds", TestPaths.Sample("x86_64", "alpha.ko"));

        code.Should().Be(2);
        stdout.Should().BeEmpty();
        stderr.TrimEnd('\n').Should().NotContain("\n").And.Contain("no-such.lds");
    }
}
