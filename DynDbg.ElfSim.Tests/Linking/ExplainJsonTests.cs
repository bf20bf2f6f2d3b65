using System.Text.Json;
using DynDbg.ElfSim.Cli;
using DynDbg.ElfSim.Linking;
using DynDbg.ElfSim.Tests.Cli;

namespace DynDbg.ElfSim.Tests.Linking;

/// <summary><c>explain --format json</c> (issue 17): the model <c>report</c> draws its layout panel from, as JSON:
/// every output section of the link, each input with its script line and reason, the header's element, the dropped
/// linkonce copies, under either linkonce rule.</summary>
[TestFixture]
public class ExplainJsonTests
{
    private static readonly string[] Sample = TestPaths.DietSample;

    private static JsonElement Explain(string rule)
    {
        var (code, json, err) = CliRunner.Run(["explain", "-T", "module.lds", "--linkonce", rule, "--format", "json", .. Sample]);
        code.Should().Be(ExitCodes.Ok, err);
        return JsonDocument.Parse(json).RootElement.Clone();
    }

    [Test]
    public void Gnu_EveryOutputSection_TheHeaderAtElement0_AndTheDroppedCopies()
    {
        var root = Explain("gnu");
        var sections = Linker.WithLink(Sample, "module.lds", new LinkOptions(), l => l.Sections.Select(s => s.Name).ToArray());
        root.GetProperty("outputSections").EnumerateArray().Select(o => o.GetProperty("name").GetString()).Should().BeEquivalentTo(sections);

        var dyndbg = root.GetProperty("outputSections").EnumerateArray().Single(o => o.GetProperty("name").GetString() == "__dyndbg");
        dyndbg.GetProperty("elementSize").GetInt32().Should().Be(40);
        var first = dyndbg.GetProperty("inputs")[0];
        (first.GetProperty("section").GetString(), first.GetProperty("element").GetInt32(), first.GetProperty("line").GetString())
            .Should().Be((".gnu.linkonce.dyndbg", 0, "module.lds:25"));
        first.GetProperty("why").GetString().Should().Be("module.lds:25 *(.gnu.linkonce.dyndbg)");

        var dropped = root.GetProperty("discarded").EnumerateArray().ToArray();
        dropped.Select(d => (d.GetProperty("file").GetString(), d.GetProperty("section").GetString()))
            .Should().BeEquivalentTo(new[] { (Sample[1], ".gnu.linkonce.dyndbg_site"), (Sample[1], ".gnu.linkonce.dyndbg") });
        dropped.Should().OnlyContain(d => d.GetProperty("why").GetString()!.Contains("GNU ld keeps one .gnu.linkonce section per name"));
    }

    [Test]
    public void Lld_KeepsTheSecondHeader_AsElement1()
    {
        var root = Explain("lld");
        root.GetProperty("rule").GetString().Should().Be("lld");
        root.GetProperty("discarded").GetArrayLength().Should().Be(0);
        var dyndbg = root.GetProperty("outputSections").EnumerateArray().Single(o => o.GetProperty("name").GetString() == "__dyndbg");
        dyndbg.GetProperty("inputs").EnumerateArray().Where(i => i.TryGetProperty("element", out _))
            .Select(i => (i.GetProperty("file").GetString(), i.GetProperty("element").GetInt32()))
            .Should().Equal((Sample[0], 0), (Sample[1], 1));
        root.GetProperty("headers").EnumerateArray().Select(h => h.GetString()).Should().Contain(h => h!.Contains("NOT element 0"));
    }
}
