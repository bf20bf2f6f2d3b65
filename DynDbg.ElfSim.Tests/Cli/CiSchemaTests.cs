using System.Text.Json;
using System.Xml;
using System.Xml.Linq;
using System.Xml.Schema;
using DynDbg.ElfSim.Cli;
using Json.Schema;

namespace DynDbg.ElfSim.Tests.Cli;

/// <summary>
/// Issue 15: <c>check --format junit</c> against the common JUnit XSD (Jenkins xunit-plugin's junit-10.xsd) and
/// <c>--format sarif</c> against the OASIS SARIF 2.1.0 schema. Neither schema is in the repository (see
/// Schemas/README.md for why and where they are): each test runs when its file is in DynDbg.ElfSim.Tests/Schemas/
/// or named by <c>DYNDBG_JUNIT_XSD</c> / <c>DYNDBG_SARIF_SCHEMA</c>, and is skipped, saying so, otherwise.
/// </summary>
[TestFixture]
public class CiSchemaTests
{
    private static readonly string[] Inputs =
        [TestPaths.Sample("x86_64", "diet/v5-nosite"), TestPaths.Sample("aarch64", "diet/v5/alpha.ko"), TestPaths.Sample("s390x", "gamma.ko"), "/dev/null"];

    [Test]
    public void JUnit_IsValidAgainstTheCommonJUnitXsd()
    {
        var schemas = JUnitSchemas();
        var (code, stdout, stderr) = CliRunner.Run(["check", "--format", "junit", .. Inputs]);
        code.Should().Be(ExitCodes.BadInput, stderr);
        XmlProblems(schemas, stdout).Should().BeEmpty(stdout.Length > 3000 ? stdout[..3000] : stdout);
        XDocument.Parse(stdout).Descendants("testcase").Should().NotBeEmpty().And.OnlyContain(t => t.Attribute("time") != null);
    }

    [Test]
    public void JUnit_TheXsdRejectsASuiteWithoutItsName()
    {
        var schemas = JUnitSchemas();
        var (_, stdout, _) = CliRunner.Run("check", "--format", "junit", TestPaths.Sample("x86_64", "gamma.ko"));
        var doc = XDocument.Parse(stdout);
        doc.Descendants("testsuite").Single().Attribute("name")!.Remove();
        XmlProblems(schemas, doc.ToString()).Should().ContainSingle().Which.Should().Contain("name");
    }

    [Test]
    public void Sarif_IsValidAgainstTheSarif210Schema()
    {
        var schema = SarifSchema();
        var (code, stdout, stderr) = CliRunner.Run(["check", "--format", "sarif", .. Inputs]);
        code.Should().Be(ExitCodes.BadInput, stderr);
        using var doc = JsonDocument.Parse(stdout);
        var result = schema.Evaluate(doc.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List, RequireFormatValidation = true });
        result.IsValid.Should().BeTrue(string.Join("\n", (result.Details ?? []).Where(d => d.Errors is { Count: > 0 })
            .SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Value}"))));
        doc.RootElement.GetProperty("runs")[0].GetProperty("results").GetArrayLength().Should().BePositive();
    }

    [Test]
    public void Sarif_TheSchemaRejectsAResultWithoutItsMessage()
    {
        var schema = SarifSchema();
        var (_, stdout, _) = CliRunner.Run("check", "--format", "sarif", TestPaths.Sample("aarch64", "diet/v5/alpha.ko"));
        var node = System.Text.Json.Nodes.JsonNode.Parse(stdout)!;
        node["runs"]![0]!["results"]![0]!.AsObject().Remove("message");
        using var doc = JsonDocument.Parse(node.ToJsonString());
        schema.Evaluate(doc.RootElement).IsValid.Should().BeFalse("a SARIF result requires its message");
    }

    private static string? Find(string variable, string file)
    {
        var path = Environment.GetEnvironmentVariable(variable) is { Length: > 0 } v ? v : Path.Combine(TestPaths.Root, "DynDbg.ElfSim.Tests", "Schemas", file);
        if (!File.Exists(path))
        {
            Assert.Ignore($"{file} is not in DynDbg.ElfSim.Tests/Schemas and {variable} names none (see DynDbg.ElfSim.Tests/Schemas/README.md)");
        }

        return path;
    }

    private static XmlSchemaSet JUnitSchemas()
    {
        var set = new XmlSchemaSet();
        set.Add(null, Find("DYNDBG_JUNIT_XSD", "junit-10.xsd")!);
        set.Compile();
        return set;
    }

    private static JsonSchema SarifSchema() =>
        JsonSchema.FromFile(Find("DYNDBG_SARIF_SCHEMA", "sarif-schema-2.1.0.json")!, new BuildOptions { SchemaRegistry = new SchemaRegistry() });

    private static List<string> XmlProblems(XmlSchemaSet schemas, string xml)
    {
        var problems = new List<string>();
        var settings = new XmlReaderSettings { ValidationType = ValidationType.Schema, Schemas = schemas };
        settings.ValidationFlags |= XmlSchemaValidationFlags.ReportValidationWarnings;
        settings.ValidationEventHandler += (_, e) => problems.Add($"{e.Severity} line {e.Exception?.LineNumber}: {e.Message}");
        using var reader = XmlReader.Create(new StringReader(xml), settings);
        while (reader.Read())
        {
        }

        return problems;
    }
}
