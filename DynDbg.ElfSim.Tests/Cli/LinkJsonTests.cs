using System.Globalization;
using System.Text.Json;

namespace DynDbg.ElfSim.Tests.Cli;

/// <summary>
/// Issue 15: <c>link --format json</c> says what the link wrote. Checked against GNU readelf on the written object:
/// the same sections in the same order with the same sizes, and as many symbols; and, for the teaching case, the
/// header pair is the first input of <c>__dyndbg</c> and <c>__dyndbg_sites</c>.
/// </summary>
[TestFixture]
public class LinkJsonTests
{
    [Test]
    public void LinkJson_OfTheSample_AgreesWithReadelfOnTheWrittenObject()
    {
        Tools.Require("readelf");
        var dir = Directory.CreateTempSubdirectory("linkjson").FullName;
        try
        {
            var output = Path.Combine(dir, "alpha.ko");
            var (code, stdout, stderr) = CliRunner.Run(["link", "-T", "module.lds", "-o", output, "--format", "json", .. TestPaths.DietSample]);
            code.Should().Be(0, stderr);
            var doc = JsonDocument.Parse(stdout).RootElement;
            doc.GetProperty("output").GetString().Should().Be(output);
            var sections = doc.GetProperty("sections").EnumerateArray().ToList();

            // readelf -SW: "  [ 1] .text  PROGBITS  0000000000000000 000040 0002f7 00  AX  0   0 16"
            var fromReadelf = Tools.Run("readelf", "-SW", output).Out.Split('\n')
                .Select(l => l.Trim())
                .Where(l => l.StartsWith('[') && !l.StartsWith("[Nr]", StringComparison.Ordinal) && !l.StartsWith("[ 0]", StringComparison.Ordinal))
                .Select(l => l[(l.IndexOf(']') + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries))
                .Where(f => f[1] is not ("RELA" or "SYMTAB" or "STRTAB"))
                .Select(f => (Name: f[0], Size: ulong.Parse(f[4], NumberStyles.HexNumber, CultureInfo.InvariantCulture)))
                .ToList();
            sections.Select(s => (s.GetProperty("name").GetString()!, s.GetProperty("size").GetUInt64())).Should().Equal(fromReadelf);

            var symbols = Tools.Run("readelf", "-sW", output).Out.Split('\n').Count(l => l.TrimStart().Length > 0 && char.IsDigit(l.TrimStart()[0]) && l.Contains(':'));
            doc.GetProperty("symbols").GetArrayLength().Should().Be(symbols - 1, "readelf also lists the null symbol [0]");

            foreach (var (array, header) in new[] { ("__dyndbg", ".gnu.linkonce.dyndbg"), ("__dyndbg_sites", ".gnu.linkonce.dyndbg_site") })
            {
                var first = sections.Single(s => s.GetProperty("name").GetString() == array).GetProperty("inputs")[0];
                first.GetProperty("section").GetString().Should().Be(header, $"the header pair is element 0 of {array}");
                first.GetProperty("offset").GetUInt64().Should().Be(0);
            }

            doc.GetProperty("discarded").EnumerateArray().Select(d => d.GetProperty("reason").GetString()).Should().Contain("LinkOnceDuplicate");
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }
}
