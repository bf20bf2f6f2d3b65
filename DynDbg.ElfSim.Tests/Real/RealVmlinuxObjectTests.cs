using System.Globalization;
using System.Text.RegularExpressions;
using DynDbg.ElfSim.DynDbg;
using DynDbg.ElfSim.Elf;
using DynDbg.ElfSim.Tests.Cli;

namespace DynDbg.ElfSim.Tests.Real;

/// <summary>
/// A real <c>vmlinux.o</c> (<see cref="BuiltVmlinux"/>), the input the tool is named for: linked under each bundled
/// script byte for byte as ld.bfd links it (issue 12), and its built-in table decoded from the relocatable object
/// exactly as the kernel's own final link lays it out in <c>vmlinux</c> (records, tables, the control file).
/// </summary>
[TestFixture]
[Category("KernelSource")]
[NonParallelizable]
public sealed partial class RealVmlinuxObjectTests
{
    [TestCase("module.lds")]
    [TestCase("module-6.1.lds")]
    [TestCase("module-v6.lds")]
    public void Link_UnderEachBundledScript_IsLdBfdsByteForByte(string script)
    {
        Linking.LinkComparison.RequireLd(ElfMachine.X86_64);
        var dir = Directory.CreateTempSubdirectory("dyndbg-vmlinux-o-").FullName;
        try
        {
            File.Copy(BuiltVmlinux.Object, Path.Combine(dir, "vmlinux.o"));
            File.Copy(Path.Combine(TestPaths.Root, "linker", script), Path.Combine(dir, script));
            var outcome = Linking.LinkComparison.Run(dir, script, ["vmlinux.o"], ElfMachine.X86_64);
            outcome.Differences.Should().BeEmpty();
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Test]
    public void BuiltinTable_OfTheObject_IsTheOneTheKernelsFinalLinkMade()
    {
        // readelf, not our reader: the object's __dyndbg size, and the linked image's __start/__stop bounds
        var size = SectionSize(BuiltVmlinux.Object, "__dyndbg");
        var (rc, symbols, _) = Tools.Run("readelf", "-sW", BuiltVmlinux.Linked);
        rc.Should().Be(0);
        ulong Symbol(string name) => ulong.Parse(symbols.Split('\n').Single(l => l.EndsWith(" " + name, StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        (Symbol("__stop___dyndbg") - Symbol("__start___dyndbg")).Should().Be(size, "the final link keeps every record");

        using var o = ElfFile.Open(BuiltVmlinux.Object);
        using var v = ElfFile.Open(BuiltVmlinux.Linked);
        var fromObject = MainlineImage.Load(o);
        var linked = MainlineImage.Load(v);
        fromObject.Kind.Should().Be(ImageKind.BuiltIn);
        fromObject.Decision!.Layout.Name.Should().Be("v6.1-64le-jl");
        fromObject.Records.Should().HaveCount((int)(size / 56)).And.HaveCountGreaterThan(500);
        linked.Decision!.Layout.Name.Should().Be(fromObject.Decision.Layout.Name);
        fromObject.Tables.Select(t => (t.ModName, t.First, t.Count)).Should().Equal(linked.Tables.Select(t => (t.ModName, t.First, t.Count)));
        fromObject.Records.Select(r => (r.Modname, r.Function, r.Filename, r.Format, r.LineNo, r.Flags))
            .Should().Equal(linked.Records.Select(r => (r.Modname, r.Function, r.Filename, r.Format, r.LineNo, r.Flags)));
        TestContext.Out.WriteLine($"vmlinux.o: {o.Sections.Count} sections, {fromObject.Records.Count} records in {fromObject.Tables.Count} tables, as in vmlinux");
    }

    [Test]
    public void Control_OfTheObject_IsTheLinkedKernels()
    {
        var (codeO, fromObject, errO) = CliRunner.Run("control", BuiltVmlinux.Object);
        var (codeV, linked, errV) = CliRunner.Run("control", BuiltVmlinux.Linked);
        (codeO, errO).Should().Be((0, ""));
        (codeV, errV).Should().Be((0, ""));
        var lines = fromObject.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines.Length.Should().Be(1 + (int)(SectionSize(BuiltVmlinux.Object, "__dyndbg") / 56), "the header line, then one line per record");
        fromObject.Should().Be(linked);
        lines.Should().Contain(l => l.StartsWith("init/main.c:", StringComparison.Ordinal) && l.Contains(" [main]", StringComparison.Ordinal));
    }

    [Test]
    public void CheckAndLoad_TheObject_Pass()
    {
        var (code, output, err) = CliRunner.Run("check", BuiltVmlinux.Object);
        (code, err).Should().Be((0, ""));
        output.Should().Contain("1 passed, 0 failed");
        (code, output, err) = CliRunner.Run("load", BuiltVmlinux.Object);
        (code, err).Should().Be((0, ""));
        output.Should().Contain("built-in semantics").And.Contain("v6.1-64le-jl");
    }

    [Test]
    public void OddPointers_OfTheLinkedKernel_AreItsFileBytes_AndTheObjectLeavesThemToTheLink()
    {
        Compression.RealZramPlanTests.OddPointersAreTheFileBytesAtNmsAddresses(BuiltVmlinux.Linked);

        // the object alone cannot decide: every record points into byte-aligned string sections the link places
        var (code, json, err) = CliRunner.Run("zram", "--format", "json", BuiltVmlinux.Object);
        (code, err).Should().Be((0, ""));
        using var doc = System.Text.Json.JsonDocument.Parse(json);
        var root = doc.RootElement.ValueKind == System.Text.Json.JsonValueKind.Array ? doc.RootElement[0] : doc.RootElement;
        var records = root.GetProperty("records").GetInt32();
        root.GetProperty("oddPointers").GetProperty("layoutDependent").GetInt32().Should().Be(records);
    }

    private static ulong SectionSize(string path, string name)
    {
        var (rc, sections, _) = Tools.Run("readelf", "-SW", path);
        rc.Should().Be(0);
        var m = SectionLine().Matches(sections).Single(x => x.Groups[1].Value == name);
        return ulong.Parse(m.Groups[2].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
    }

    // [Nr] Name Type Address Off Size
    [GeneratedRegex(@"\]\s+(\S+)\s+PROGBITS\s+[0-9a-f]+\s+[0-9a-f]+\s+([0-9a-f]+)")]
    private static partial Regex SectionLine();
}
