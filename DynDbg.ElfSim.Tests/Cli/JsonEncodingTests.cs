using System.Text.Json;
using DynDbg.ElfSim.Reports;

namespace DynDbg.ElfSim.Tests.Cli;

/// <summary>Issue 15: JSON escapes only what JSON requires; kernel format strings read as they are written.</summary>
[TestFixture]
public class JsonEncodingTests
{
    [Test]
    public void RelaxedEncoder_KeepsApostrophePlusAndSection_EscapesQuoteBackslashAndControls()
    {
        const string value = "can't +p §3.2 \"q\" \\ \n\t";
        var json = JsonArrays.Document(["x"], (j, _) =>
        {
            j.WriteStartObject();
            j.WriteString("format", value);
            j.WriteEndObject();
        });

        json.Should().Contain("can't +p §3.2 \\\"q\\\" \\\\ \\n\\t");
        json.Should().NotContain("\\u0027").And.NotContain("\\u002B").And.NotContain("\\u00A7");
        JsonDocument.Parse(json).RootElement.GetProperty("format").GetString().Should().Be(value);
    }
}
