using System.Text.Json;
using DynDbg.ElfSim.Cli;
using DynDbg.ElfSim.Diagnostics;
using DynDbg.ElfSim.Elf;
using DynDbg.ElfSim.Linking;

namespace DynDbg.ElfSim.Tests.Cli;

/// <summary>The <c>load</c> command's contract: output shapes and exit codes 0/2, one-line errors.</summary>
[TestFixture]
public class LoadCommandTests
{
    private static string Sample(string arch, string file) => TestPaths.Sample(arch, file);

    [Test]
    public void Summary_ShowsProfileEvidenceTablesAndRepetition()
    {
        var (code, output, err) = CliRunner.Run("load", Sample("x86_64", "vmlinux.o"));
        code.Should().Be(ExitCodes.Ok, err);
        output.Should().Contain("ELF:       ELF64 little-endian, REL (Relocatable file), x86_64 (EM_X86_64)");
        output.Should().Contain("Profile:   v6.1-64le-jl: struct _ddebug of 56 bytes");
        output.Should().Contain("- relocations at +0,+8,+16,+24 of every 56-byte record");
        output.Should().Contain("Records:   26 in 3 tables");
        output.Should().MatchRegex(@"\n  module +23 +88\.5% +3 +3 +21\n");
    }

    [Test]
    public void Control_PrintsTheGoldenFile()
    {
        var (code, output, _) = CliRunner.Run("load", "--control", Sample("x86_64", "vmlinux.o"));
        code.Should().Be(0);
        output.Should().Be(File.ReadAllText(TestPaths.Golden("x86_64-vmlinux.o.control")));
    }

    [Test]
    public void Json_Separate_IsOneObjectPerInput_WithRecordsAndControl()
    {
        var (code, output, _) = CliRunner.Run("load", "--separate", "--format", "json", "--control", Sample("s390x", "delta.ko"), Sample("i386", "gamma.ko"));
        code.Should().Be(0);
        using var doc = JsonDocument.Parse(output);
        doc.RootElement.ValueKind.Should().Be(JsonValueKind.Array);
        doc.RootElement.GetArrayLength().Should().Be(2);
        var first = doc.RootElement[0];
        first.GetProperty("fileSummary").GetProperty("arch").GetString().Should().Be("s390x");
        first.GetProperty("profile").GetProperty("name").GetString().Should().Be("v6.1-64be-jl");
        first.GetProperty("recordCount").GetInt32().Should().Be(5);
        first.GetProperty("records")[0].GetProperty("key").GetProperty("enabled").GetInt32().Should().Be(1);
        first.GetProperty("control")[0].GetString().Should().Be("# filename:lineno [module]function flags format");
        doc.RootElement[1].GetProperty("profile").GetProperty("recordSize").GetInt32().Should().Be(24);
    }

    /// <summary>The samples' modules are <c>ld -r</c> of their objects (samples/src/build.sh: ld.bfd on x86, the
    /// s390x binutils, ld.lld elsewhere), so linking the objects here and decoding must give the module's table.</summary>
    public static IEnumerable<TestCaseData> ModuleObjects() =>
        from arch in TestPaths.Arches
        from m in new[] { ("alpha", new[] { "alpha_main", "alpha_util" }), ("beta", new[] { "beta_core", "beta_proto" }), ("gamma", new[] { "gamma" }) }
        select new TestCaseData(arch, m.Item1, m.Item2).SetName($"Load_LinksObjects_AsTheModuleWasLinked({arch},{m.Item1})");

    [TestCaseSource(nameof(ModuleObjects))]
    public void Load_LinksObjects_AsTheModuleWasLinked(string arch, string module, string[] objects)
    {
        string[] args = objects.Length == 1 ? ["--script", "module.lds"] : [];
        var linked = CliRunner.Run(["load", "--control", .. args, .. objects.Select(o => Sample(arch, o + ".o"))]);
        var ko = CliRunner.Run("load", "--control", Sample(arch, module + ".ko"));

        linked.Code.Should().Be(0, linked.Err);
        ko.Code.Should().Be(0, ko.Err);
        linked.Out.Should().Be(ko.Out);
        linked.Out.Split('\n').Length.Should().BeGreaterThan(3, "the module has call sites");
    }

    [Test]
    public void Load_NamesTheLinkedImageAfterTheLink()
    {
        var (code, output, err) = CliRunner.Run("load", "-T", "module-6.1.lds", Sample("x86_64", "gamma.o"));

        code.Should().Be(0, err);
        output.Should().StartWith($"File:      ld -r -T module-6.1.lds {Sample("x86_64", "gamma.o")}\n");
    }

    /// <summary>Reference section 6.9, invariant 3: module.lds puts the .gnu.linkonce.dyndbg header at element 0
    /// of __dyndbg wherever its object sits on the command line; 6.1's script leaves it out of the table.</summary>
    [Test]
    public void Load_ScriptPutsTheHeaderAtRecord0()
    {
        var header = Path.Combine(TestContext.CurrentContext.WorkDirectory, "load-header.o");
        var source = Path.Combine(TestPaths.Root, "DynDbg.ElfSim.Tests", "Linking", "Golden", "load-header.s");
        Tools.Run("as", ["--64", "-o", header, source]).Code.Should().Be(0);
        string[] inputs = [Sample("x86_64", "alpha_main.o"), Sample("x86_64", "alpha_util.o"), header];

        var (code, output, err) = CliRunner.Run(["load", "--format", "json", .. inputs]);
        code.Should().Be(0, err);
        using (var doc = JsonDocument.Parse(output))
        {
            doc.RootElement.GetProperty("recordCount").GetInt32().Should().Be(12);
            doc.RootElement.GetProperty("records")[0].GetProperty("function").GetString().Should().Be("dyndbg_header");
            doc.RootElement.GetProperty("records")[1].GetProperty("function").GetString().Should().NotBe("dyndbg_header");
        }

        (code, output, err) = CliRunner.Run(["load", "--format", "json", "-T", "module-6.1.lds", .. inputs]);
        code.Should().Be(0, err);
        using (var doc = JsonDocument.Parse(output))
        {
            doc.RootElement.GetProperty("recordCount").GetInt32().Should().Be(11);
            output.Should().NotContain("dyndbg_header");
        }
    }

    [Test]
    public void Load_InputsThatCannotBeLinked_PointToSeparate()
    {
        var (code, output, err) = CliRunner.Run("load", Sample("s390x", "delta.ko"), Sample("i386", "gamma.ko"));

        code.Should().Be(ExitCodes.BadInput);
        output.Should().BeEmpty();
        err.TrimEnd('\n').Should().NotContain("\n").And.Contain($"error {LinkErrorIds.LinkIncompatibleInput}:").And.EndWith("--separate decodes each on its own");
    }

    /// <summary>vmlinux.o holds the builtin build of alpha's sources, so linking it with alpha.ko defines
    /// alpha_hash twice, as ld would report.</summary>
    [Test]
    public void Load_MultipleDefinition_PointsToSeparate()
    {
        var (code, _, err) = CliRunner.Run("load", Sample("x86_64", "vmlinux.o"), Sample("x86_64", "alpha.ko"));

        code.Should().Be(ExitCodes.BadInput);
        err.Should().Contain($"error {LinkErrorIds.LinkMultipleDefinition}:").And.Contain("multiple definition of `alpha_hash'")
            .And.EndWith("--separate decodes each on its own\n");
        CliRunner.Run("load", "--separate", Sample("x86_64", "vmlinux.o"), Sample("x86_64", "alpha.ko")).Code.Should().Be(0);
    }

    [Test]
    public void Load_SeparateWithScript_IsUsageError()
    {
        var (code, _, err) = CliRunner.Run("load", "--separate", "-T", "module.lds", Sample("x86_64", "gamma.o"));

        code.Should().Be(ExitCodes.BadInput);
        err.Should().StartWith($"dyndbg-elfsim: error {UsageErrorIds.Usage}: --separate and --script exclude each other");
    }

    [Test]
    public void MissingFile_IsExit2_OneLine()
    {
        var (code, output, err) = CliRunner.Run("load", "/nonexistent/x.ko");
        code.Should().Be(ExitCodes.BadInput);
        output.Should().BeEmpty();
        err.TrimEnd('\n').Should().NotContain("\n").And.StartWith("/nonexistent/x.ko: error ELF031: file:");
    }

    [Test]
    public void NotAnElf_IsExit2_OneLine()
    {
        var path = Path.Combine(TestContext.CurrentContext.WorkDirectory, "not-elf.bin");
        File.WriteAllText(path, "#!/bin/sh\necho hello, this is not an ELF file at all, only text\n");
        var (code, _, err) = CliRunner.Run("load", path);
        code.Should().Be(ExitCodes.BadInput);
        err.Should().Be($"{path}: error ELF002: ELF header, offset 0x0: not an ELF file: magic 23 21 2f 62, expected 7f 45 4c 46\n");
    }

    [Test]
    public void UnknownProfile_IsUsageError()
    {
        var (code, _, err) = CliRunner.Run("load", "--profile", "v7", Sample("x86_64", "alpha.ko"));
        code.Should().Be(ExitCodes.BadInput);
        err.Should().StartWith($"dyndbg-elfsim: error {UsageErrorIds.Usage}: unknown --profile 'v7'; known: auto, v6.1-64le-jl");
    }

    [Test]
    public void UnknownOption_IsUsageError()
    {
        var (code, _, err) = CliRunner.Run("load", "--bogus", Sample("x86_64", "alpha.ko"));
        code.Should().Be(ExitCodes.BadInput);
        err.Should().StartWith($"dyndbg-elfsim: error {UsageErrorIds.Usage}:");
    }

    [Test]
    public void InputFileIsNeverModified()
    {
        var path = Sample("x86_64", "alpha.ko");
        var before = File.ReadAllBytes(path);
        var stamp = File.GetLastWriteTimeUtc(path);
        CliRunner.Run("load", "--control", path).Code.Should().Be(0);
        File.ReadAllBytes(path).Should().Equal(before);
        File.GetLastWriteTimeUtc(path).Should().Be(stamp);
    }
}
