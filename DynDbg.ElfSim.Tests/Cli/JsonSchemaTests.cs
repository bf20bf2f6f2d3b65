using System.Text.Json;
using System.Text.Json.Nodes;
using DynDbg.ElfSim.Reports;
using Json.Schema;

namespace DynDbg.ElfSim.Tests.Cli;

/// <summary>
/// Issue 15: every JSON output, produced through the CLI on the samples of all eight architectures, is valid against
/// its documented schema in docs/schemas (draft 2020-12), and opens with <c>schemaVersion</c>. The negative cases
/// show that the validator does reject a document missing a field the schema requires, so the positive ones
/// cannot pass by validating nothing.
/// </summary>
[TestFixture]
public class JsonSchemaTests
{
    private static readonly string[] Arches = TestPaths.Arches;

    private string dir = null!;

    [OneTimeSetUp]
    public void MakeDir() => dir = Directory.CreateTempSubdirectory("jsonschema").FullName;

    [OneTimeTearDown]
    public void RemoveDir() => Directory.Delete(dir, true);

    private static string Sample(string arch, string file) => TestPaths.Sample(arch, file);

    [TestCaseSource(nameof(Arches))]
    public void Check_OfTheArchsSamples(string arch) =>
        Valid("check.schema.json", Run([0, 1], "check", "--format", "json", Path.Combine(TestPaths.Samples, arch)));

    [Test]
    public void Check_WithFailuresOnly_AndAnUnreadableFile()
    {
        Valid("check.schema.json", Run([1], "check", "--format", "json", "--failures-only", Sample("x86_64", "diet/v5-nosite")));
        Valid("check.schema.json", Run([2], "check", "--format", "json", "/dev/null", Sample("x86_64", "gamma.ko")));
    }

    [Test]
    public void Check_OfOneFile_IsAnObject_PassingFailingUnreadableOrHidden()
    {
        Valid("check.schema.json", Run([0], "check", "--format", "json", Sample("x86_64", "gamma.ko")));
        Valid("check.schema.json", Run([1], "check", "--format", "json", Sample("x86_64", "diet/v5-nosite/alpha_main.o")));
        Valid("check.schema.json", Run([2], "check", "--format", "json", "/dev/null"));
        Valid("check.schema.json", Run([0], "check", "--format", "json", "--failures-only", Sample("x86_64", "gamma.ko")));
    }

    [TestCaseSource(nameof(Arches))]
    public void Load_OneImage_SeveralSeparately_AndAControlFile(string arch)
    {
        Valid("load.schema.json", Run([0], "load", "--format", "json", Sample(arch, "gamma.ko")));
        Valid("load.schema.json", Run([0], "load", "--format", "json", "--separate", "--control", Sample(arch, "alpha.ko"), Sample(arch, "beta.ko")));
        Valid("load.schema.json", Run([0, 1], "load", "--format", "json", Sample(arch, "diet/v5/alpha.ko")));
    }

    [Test]
    public void Load_OfVmlinux_MainlineAndDiet()
    {
        Valid("load.schema.json", Run([0], "load", "--format", "json", "--control", Sample("x86_64", "vmlinux.o")));
        Valid("load.schema.json", Run([0, 1], "load", "--format", "json", Sample("x86_64", "diet/v5/vmlinux")));
    }

    /// <summary>The samples carry no .modinfo (the loader refuses them), so synth writes two real-looking modules.</summary>
    [TestCaseSource(nameof(Arches))]
    public void LoadSections_OfSynthesizedModules(string arch)
    {
        var tree = Path.Combine(dir, "synth-" + arch);
        Run([0], "synth", "-o", tree, "--arch", arch, "--modules", "2", "--callsites", "12");
        var modules = Directory.GetFiles(tree, "*.ko", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToArray();
        modules.Should().HaveCount(2);
        Valid("load-sections.schema.json", Run([0], "load", "--sections", "--format", "json", modules[0]));
        Valid("load-sections.schema.json", Run([0], ["load", "--sections", "--format", "json", "--base", "0xffffffffc0000000", .. modules]));
    }

    [TestCaseSource(nameof(Arches))]
    public void Control_WithStepsAndSites(string arch)
    {
        Valid("control.schema.json", Run([0], "control", "--format", "json", Sample(arch, "gamma.ko"), "module gamma +p"));
        Valid("control.schema.json", Run([0, 1], "control", "--format", "json", "--steps", "--sites",
            Sample(arch, "alpha.ko"), Sample(arch, "beta.ko"), "module alpha +pmf", "module nosuch -p"));
    }

    [TestCaseSource(nameof(Arches))]
    public void Compress_OneInputAndSeveral(string arch)
    {
        Valid("compress.schema.json", Run([0], "compress", "--format", "json", Sample(arch, "gamma.ko")));
        Valid("compress.schema.json", Run([0], "compress", "--format", "json", Sample(arch, "alpha.ko"), Sample(arch, "beta.ko")));
    }

    [Test]
    public void Compress_TotalAndLevels()
    {
        Valid("compress.schema.json", Run([0], "compress", "--format", "json", "--total", Sample("x86_64", "alpha.ko"), Sample("x86_64", "beta.ko")));
        Valid("compress-levels.schema.json", Run([0], "compress", "--format", "json", "--levels", Sample("x86_64", "alpha.ko"), Sample("x86_64", "beta.ko")));
    }

    [TestCaseSource(nameof(Arches))]
    public void Zram_OneInputAndSeveral(string arch)
    {
        Valid("zram.schema.json", Run([0], "zram", "--format", "json", Sample(arch, "gamma.ko")));
        Valid("zram.schema.json", Run([0], "zram", "--format", "json", "-q", "module alpha +p", Sample(arch, "alpha.ko"), Sample(arch, "beta.ko")));
    }

    [Test]
    public void Zram_TotalOtherPoolsNoZram_AndAFailedQuery()
    {
        Valid("zram.schema.json", Run([0], "zram", "--format", "json", "--total", "--pool", "z3fold", Sample("x86_64", "alpha.ko"), Sample("i386", "beta.ko")));
        Valid("zram.schema.json", Run([0], "zram", "--format", "json", "--no-zram", "--pool", "zbud", Sample("x86_64", "vmlinux.o")));
        Valid("zram.schema.json", Run([1], "zram", "--format", "json", "-q", "bogus", Sample("s390x", "gamma.ko")));
        Valid("zram.schema.json", Run([0], "zram", "--format", "json", Sample("x86_64", "gamma.o"), Sample("x86_64", "legacy")));
    }

    [TestCaseSource(nameof(Arches))]
    public void LinkAndExplain_OfTheTwoObjectModule(string arch)
    {
        var output = Path.Combine(dir, $"link-{arch}.ko");
        Valid("link.schema.json", Run([0], "link", "--format", "json", "-T", "module.lds", "-o", output, "-Map", output + ".map",
            Sample(arch, "alpha_main.o"), Sample(arch, "alpha_util.o")));
        Valid("explain.schema.json", Run([0], "explain", "--format", "json", "-T", "module.lds", Sample(arch, "alpha_main.o"), Sample(arch, "alpha_util.o")));
    }

    [Test]
    public void Diet_WithAndWithoutTheLink()
    {
        Valid("diet.schema.json", Run([0], "diet", "--format", "json", "-o", Path.Combine(dir, "diet-plain"), Sample("x86_64", "gamma.ko")));
        Valid("diet.schema.json", Run([0], "diet", "--format", "json", "--link", "-o", Path.Combine(dir, "diet-linked"), Sample("s390x", "beta.ko")));
    }

    [Test]
    public void TheSchemas_AreTheDocumentedSet()
    {
        var files = Directory.GetFiles(SchemaDir, "*.schema.json").Select(Path.GetFileName).ToArray();
        files.Should().BeEquivalentTo(["common.schema.json", "check.schema.json", "load.schema.json", "load-sections.schema.json",
            "control.schema.json", "compress.schema.json", "compress-levels.schema.json", "link.schema.json", "explain.schema.json", "diet.schema.json", "zram.schema.json"]);
    }

    // ---- the negative cases: a document that lacks what a script relies on is rejected, naming the field

    [Test]
    public void Validator_RejectsACheckFileWithoutPassed_AndAnArrayWithoutItsSummary()
    {
        var gamma = Sample("x86_64", "gamma.ko");
        var json = JsonNode.Parse(Run([0], "check", "--format", "json", gamma, Sample("x86_64", "beta.ko")))!.AsArray();
        Problems("check.schema.json", json.ToJsonString()).Should().BeEmpty();

        var noPassed = json.DeepClone().AsArray();
        noPassed[0]!.AsObject().Remove("passed");
        Problems("check.schema.json", noPassed.ToJsonString()).Should().Contain(p => p.Contains("passed", StringComparison.Ordinal));

        var noSummary = json.DeepClone().AsArray();
        noSummary.RemoveAt(noSummary.Count - 1);
        Problems("check.schema.json", noSummary.ToJsonString()).Should().NotBeEmpty("the summary element is required");
    }

    [Test]
    public void Validator_RejectsASingleFileWithoutItsSummary_OrPassed_OrWithTheCountsOfSeveral()
    {
        var one = JsonNode.Parse(Run([0], "check", "--format", "json", Sample("x86_64", "gamma.ko")))!.AsObject();
        Problems("check.schema.json", one.ToJsonString()).Should().BeEmpty();

        var noSummary = one.DeepClone().AsObject();
        noSummary.Remove("summary");
        Problems("check.schema.json", noSummary.ToJsonString()).Should().NotBeEmpty();

        var noPassed = one.DeepClone().AsObject();
        noPassed.Remove("passed");
        Problems("check.schema.json", noPassed.ToJsonString()).Should().NotBeEmpty();

        var two = one.DeepClone().AsObject();
        two["summary"]!["files"] = 2;
        Problems("check.schema.json", two.ToJsonString()).Should().NotBeEmpty("a single object is the report of one file");

        var noTimestamp = one.DeepClone().AsObject();
        noTimestamp["summary"]!.AsObject().Remove("timestamp");
        Problems("check.schema.json", noTimestamp.ToJsonString()).Should().NotBeEmpty();
    }

    [Test]
    public void Validator_RejectsALoadObjectWithoutSchemaVersion_OrWithAWrongType()
    {
        var load = JsonNode.Parse(Run([0], "load", "--format", "json", Sample("x86_64", "gamma.ko")))!.AsObject();
        var noVersion = load.DeepClone().AsObject();
        noVersion.Remove("schemaVersion");
        Problems("load.schema.json", noVersion.ToJsonString()).Should().NotBeEmpty();

        var wrongType = load.DeepClone().AsObject();
        wrongType["recordCount"] = "4";
        Problems("load.schema.json", wrongType.ToJsonString()).Should().NotBeEmpty();
    }

    [Test]
    public void AFieldTheSchemaDoesNotDeclare_IsCaught()
    {
        var load = JsonNode.Parse(Run([0], "load", "--format", "json", Sample("x86_64", "gamma.ko")))!.AsObject();
        Documented("load.schema.json", load.ToJsonString());
        load["records"]![0]!.AsObject()["notInTheSchema"] = 1;
        var act = () => Documented("load.schema.json", load.ToJsonString());
        act.Should().Throw<Exception>().WithMessage("*notInTheSchema*");
    }

    // ---- the validator

    private static string SchemaDir => Path.Combine(TestPaths.Root, "docs", "schemas");

    /// <summary>All schemas built into one registry, so <c>common.schema.json#/$defs/...</c> references resolve offline.</summary>
    private static readonly Lazy<Dictionary<string, JsonSchema>> Schemas = new(() =>
    {
        var options = new BuildOptions { SchemaRegistry = new SchemaRegistry() };
        var files = Directory.GetFiles(SchemaDir, "*.schema.json").OrderBy(f => Path.GetFileName(f) == "common.schema.json" ? 0 : 1);
        return files.ToDictionary(f => Path.GetFileName(f)!, f => JsonSchema.FromFile(f, options));
    });

    /// <summary>Each failed keyword as "instance location: message"; empty when the document is valid.</summary>
    internal static IReadOnlyList<string> Problems(string schema, string json) => Problems(Schemas.Value[schema], json);

    /// <summary>The same for any schema (CiSchemaTests' SARIF schemas), formats enforced.</summary>
    internal static IReadOnlyList<string> Problems(JsonSchema schema, string json)
    {
        using var doc = JsonDocument.Parse(json);
        var result = schema.Evaluate(doc.RootElement,
            new EvaluationOptions { OutputFormat = OutputFormat.List, RequireFormatValidation = true });
        if (result.IsValid)
        {
            return [];
        }

        var problems = (result.Details ?? []).Prepend(result).Where(d => d.Errors is { Count: > 0 })
            .SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Key}: {e.Value}")).ToList();
        return problems.Count > 0 ? problems : ["invalid"];
    }

    private static void Valid(string schema, string json)
    {
        Problems(schema, json).Should().BeEmpty(json.Length > 2000 ? json[..2000] : json);
        Documented(schema, json);
        using var doc = JsonDocument.Parse(json);
        var tops = doc.RootElement.ValueKind == JsonValueKind.Array ? doc.RootElement.EnumerateArray().ToArray() : [doc.RootElement];
        foreach (var top in tops)
        {
            top.EnumerateObject().First().Name.Should().Be("schemaVersion", "it is every document's first field");
            top.GetProperty("schemaVersion").GetInt32().Should().Be(JsonArrays.SchemaVersion);
        }
    }

    /// <summary>Every field name the document uses is declared somewhere in its schema (or common.schema.json), so
    /// a field added to a writer without its schema fails here instead of going undocumented.</summary>
    private static void Documented(string schema, string json)
    {
        var declared = Declared(schema).Concat(Declared("common.schema.json")).ToHashSet(StringComparer.Ordinal);
        using var doc = JsonDocument.Parse(json);
        FieldNames(doc.RootElement).Distinct().Where(n => !declared.Contains(n)).Should().BeEmpty($"every field of {schema}'s output is documented in it");
    }

    private static IEnumerable<string> Declared(string schema)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(SchemaDir, schema)));
        return FieldNames(doc.RootElement, declared: true).ToList();
    }

    /// <summary>The field names in a document, or (<paramref name="declared"/>) the names under the schema's
    /// <c>properties</c> keywords. The IDs under <c>findingsById</c> are data, not fields.</summary>
    private static IEnumerable<string> FieldNames(JsonElement e, bool declared = false)
    {
        if (e.ValueKind == JsonValueKind.Array)
        {
            return e.EnumerateArray().SelectMany(x => FieldNames(x, declared));
        }

        if (e.ValueKind != JsonValueKind.Object)
        {
            return [];
        }

        return e.EnumerateObject().SelectMany(p =>
            declared
                ? (p.Name == "properties" && p.Value.ValueKind == JsonValueKind.Object ? p.Value.EnumerateObject().Select(q => q.Name) : [])
                    .Concat(FieldNames(p.Value, true))
                : p.Name == "findingsById" ? [p.Name] : FieldNames(p.Value).Prepend(p.Name));
    }

    private static string Run(int[] codes, params string[] args)
    {
        var (code, stdout, stderr) = CliRunner.Run(args);
        codes.Should().Contain(code, $"{string.Join(' ', args)}: {stderr}");
        return stdout;
    }
}
