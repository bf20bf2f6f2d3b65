using System.Text.Json;
using System.Text.Json.Nodes;
using System.Xml;
using System.Xml.Linq;
using System.Xml.Schema;
using DynDbg.ElfSim.Cli;
using Json.Schema;

namespace DynDbg.ElfSim.Tests.Cli;

/// <summary>
/// Issue 15: <c>check --format junit</c> and <c>--format sarif</c> are valid against the formats' schemas, always:
/// our own <c>Schemas/junit.xsd</c> (the common JUnit XML format) and <c>Schemas/sarif-2.1.0-subset.schema.json</c>
/// (the SARIF 2.1.0 objects check emits), both written from the formats' descriptions (Schemas/README.md). The
/// output comes through <see cref="CliRunner"/>, so CI checks the in-process CLI and, with <c>DYNDBG_ELFSIM_EXE</c>,
/// the native AOT binary. The negative cases show that each schema rejects a broken document, so the positive ones
/// cannot pass by validating nothing. The official files (Jenkins' junit-10.xsd, OASIS's sarif-schema-2.1.0.json)
/// remain an optional extra check: only those two tests are skipped when the files are absent.
/// </summary>
[TestFixture]
public class CiSchemaTests
{
    private static readonly string[] Inputs =
        [TestPaths.Sample("x86_64", "diet/v5-nosite"), TestPaths.Sample("aarch64", "diet/v5/alpha.ko"), TestPaths.Sample("s390x", "gamma.ko"), "/dev/null"];

    private static string SchemaDir => Path.Combine(TestPaths.Root, "DynDbg.ElfSim.Tests", "Schemas");

    // ---- JUnit against our junit.xsd

    [Test]
    public void JUnit_IsValidAgainstOurJUnitXsd()
    {
        var doc = XDocument.Parse(ValidJUnit(OurJUnit.Value));
        doc.Descendants("testcase").Should().NotBeEmpty().And.OnlyContain(t => t.Attribute("time") != null);
        doc.Descendants("failure").Should().NotBeEmpty("the inputs include failing files");
        doc.Descendants("error").Should().NotBeEmpty("and an unreadable one");
    }

    [Test]
    public void JUnit_OfOnePassingFile_IsValid()
    {
        var (code, stdout, stderr) = CliRunner.Run("check", "--format", "junit", TestPaths.Sample("x86_64", "gamma.ko"));
        code.Should().Be(ExitCodes.Ok, stderr);
        XmlProblems(OurJUnit.Value, stdout).Should().BeEmpty(stdout);
    }

    /// <summary>Each broken report is rejected, and the complaint names what is wrong.</summary>
    [TestCase("suite without its name", "name")]
    [TestCase("suite without its test count", "tests")]
    [TestCase("negative failure count", "failures")]
    [TestCase("time that is not a number", "time")]
    [TestCase("timestamp that is not a date", "timestamp")]
    [TestCase("test case without its name", "name")]
    [TestCase("unknown child element", "bogus")]
    [TestCase("two outcomes in one case", "failure")]
    public void JUnit_OurXsdRejects(string broken, string named)
    {
        var (_, stdout, _) = CliRunner.Run("check", "--format", "junit", TestPaths.Sample("x86_64", "diet/v5/alpha.ko"));
        var doc = XDocument.Parse(stdout);
        XmlProblems(OurJUnit.Value, doc.ToString()).Should().BeEmpty("the unbroken report is valid");
        var suite = doc.Descendants("testsuite").Single();
        var testcase = suite.Elements("testcase").First();
        switch (broken)
        {
            case "suite without its name": suite.Attribute("name")!.Remove(); break;
            case "suite without its test count": suite.Attribute("tests")!.Remove(); break;
            case "negative failure count": suite.SetAttributeValue("failures", "-1"); break;
            case "time that is not a number": testcase.SetAttributeValue("time", "0,25"); break;
            case "timestamp that is not a date": suite.SetAttributeValue("timestamp", "yesterday"); break;
            case "test case without its name": testcase.Attribute("name")!.Remove(); break;
            case "unknown child element": testcase.Add(new XElement("bogus")); break;
            default: testcase.AddFirst(new XElement("error", new XAttribute("message", "x")), new XElement("failure", new XAttribute("message", "y"))); break;
        }

        XmlProblems(OurJUnit.Value, doc.ToString()).Should().NotBeEmpty(broken).And.Contain(p => p.Contains(named, StringComparison.Ordinal));
    }

    // ---- SARIF against our sarif-2.1.0-subset.schema.json

    [Test]
    public void Sarif_IsValidAgainstOurSarifSubset()
    {
        using var doc = JsonDocument.Parse(ValidSarif(OurSarif.Value));
        var run = doc.RootElement.GetProperty("runs")[0];
        run.GetProperty("results").GetArrayLength().Should().BePositive();
        run.GetProperty("tool").GetProperty("driver").GetProperty("rules").GetArrayLength().Should().BePositive();
    }

    [Test]
    public void Sarif_OfOnePassingFile_IsValid()
    {
        var (code, stdout, stderr) = CliRunner.Run("check", "--format", "sarif", TestPaths.Sample("x86_64", "gamma.ko"));
        code.Should().Be(ExitCodes.Ok, stderr);
        SarifProblems(OurSarif.Value, stdout).Should().BeEmpty();
    }

    /// <summary>Each broken log is rejected at the place that is wrong.</summary>
    [TestCase("result without its message", "/runs/0/results/0")]
    [TestCase("message without its text", "/runs/0/results/0/message")]
    [TestCase("another version", "/version")]
    [TestCase("unknown root member", "/schemaVersion")]
    [TestCase("root without runs", "")]
    [TestCase("driver without its name", "/runs/0/tool/driver")]
    [TestCase("rule without its id", "/runs/0/tool/driver/rules/0")]
    [TestCase("level outside the enum", "/runs/0/results/0/level")]
    [TestCase("negative rule index", "/runs/0/results/0/ruleIndex")]
    [TestCase("negative byte offset", "/runs/0/results/0/locations/0/physicalLocation/region/byteOffset")]
    [TestCase("byte offset as a string", "/runs/0/results/0/locations/0/physicalLocation/region/byteOffset")]
    public void Sarif_OurSchemaRejects(string broken, string at)
    {
        var (_, stdout, _) = CliRunner.Run("check", "--format", "sarif", TestPaths.Sample("aarch64", "diet/v5/alpha.ko"));
        var root = JsonNode.Parse(stdout)!.AsObject();
        SarifProblems(OurSarif.Value, root.ToJsonString()).Should().BeEmpty("the unbroken log is valid");
        var run = root["runs"]![0]!;
        var result = run["results"]![0]!.AsObject();
        var region = result["locations"]![0]!["physicalLocation"]!["region"]!.AsObject();
        switch (broken)
        {
            case "result without its message": result.Remove("message"); break;
            case "message without its text": result["message"]!.AsObject().Remove("text"); break;
            case "another version": root["version"] = "2.0.0"; break;
            case "unknown root member": root["schemaVersion"] = 1; break;
            case "root without runs": root.Remove("runs"); break;
            case "driver without its name": run["tool"]!["driver"]!.AsObject().Remove("name"); break;
            case "rule without its id": run["tool"]!["driver"]!["rules"]![0]!.AsObject().Remove("id"); break;
            case "level outside the enum": result["level"] = "fatal"; break;
            case "negative rule index": result["ruleIndex"] = -2; break;
            case "negative byte offset": region["byteOffset"] = -5; break;
            default: region["byteOffset"] = "0x40"; break;
        }

        SarifProblems(OurSarif.Value, root.ToJsonString()).Should().NotBeEmpty(broken).And.Contain(p => p.StartsWith(at + ":", StringComparison.Ordinal));
    }

    // ---- the official files, when someone supplies them (not in the repository)

    [Test]
    public void JUnit_IsValidAgainstJenkinsJUnit10Xsd_WhenSupplied()
    {
        var set = new XmlSchemaSet();
        set.Add(null, Official("DYNDBG_JUNIT_XSD", "junit-10.xsd"));
        set.Compile();
        ValidJUnit(set);
    }

    [Test]
    public void Sarif_IsValidAgainstTheOasisSarif210Schema_WhenSupplied()
    {
        ValidSarif(JsonSchema.FromFile(Official("DYNDBG_SARIF_SCHEMA", "sarif-schema-2.1.0.json"), new BuildOptions { SchemaRegistry = new SchemaRegistry() }));
    }

    // ---- the validators

    /// <summary>check's JUnit report of <see cref="Inputs"/> (failing, passing and unreadable files), valid against <paramref name="schemas"/>.</summary>
    private static string ValidJUnit(XmlSchemaSet schemas)
    {
        var (code, stdout, stderr) = CliRunner.Run(["check", "--format", "junit", .. Inputs]);
        code.Should().Be(ExitCodes.BadInput, stderr);
        XmlProblems(schemas, stdout).Should().BeEmpty(stdout.Length > 3000 ? stdout[..3000] : stdout);
        return stdout;
    }

    /// <summary>check's SARIF log of <see cref="Inputs"/>, valid against <paramref name="schema"/>.</summary>
    private static string ValidSarif(JsonSchema schema)
    {
        var (code, stdout, stderr) = CliRunner.Run(["check", "--format", "sarif", .. Inputs]);
        code.Should().Be(ExitCodes.BadInput, stderr);
        SarifProblems(schema, stdout).Should().BeEmpty();
        return stdout;
    }

    private static readonly Lazy<XmlSchemaSet> OurJUnit = new(() =>
    {
        var set = new XmlSchemaSet();
        set.Add(null, Path.Combine(SchemaDir, "junit.xsd"));
        set.Compile();
        return set;
    });

    private static readonly Lazy<JsonSchema> OurSarif = new(() =>
        JsonSchema.FromFile(Path.Combine(SchemaDir, "sarif-2.1.0-subset.schema.json"), new BuildOptions { SchemaRegistry = new SchemaRegistry() }));

    private static string Official(string variable, string file)
    {
        var path = Environment.GetEnvironmentVariable(variable) is { Length: > 0 } v ? v : Path.Combine(SchemaDir, file);
        if (!File.Exists(path))
        {
            Assert.Ignore($"the optional extra check: {file} is not in DynDbg.ElfSim.Tests/Schemas and {variable} names none (see DynDbg.ElfSim.Tests/Schemas/README.md)");
        }

        return path;
    }

    private static IReadOnlyList<string> SarifProblems(JsonSchema schema, string json) => JsonSchemaTests.Problems(schema, json);

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
