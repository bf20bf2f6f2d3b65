using System.Globalization;
using System.Text.RegularExpressions;
using DynDbg.ElfSim.DynDbg;
using DynDbg.ElfSim.Elf;
using DynDbg.ElfSim.Tests.Cli;

namespace DynDbg.ElfSim.Tests.Real;

/// <summary>
/// A real <c>vmlinux.o</c> of every Debian release architecture (<see cref="BuiltVmlinux"/>), the input the tool is
/// named for: linked under each bundled script byte for byte as that architecture's own ld.bfd links it (issue 12),
/// and its built-in table decoded from the relocatable object (the relocations applied by the architecture's
/// relocator) exactly as the kernel's own final link lays it out in <c>vmlinux</c>: records, tables, the control file.
/// </summary>
[TestFixture]
[Category("KernelSource")]
[NonParallelizable]
public sealed partial class RealVmlinuxObjectTests
{
    private static readonly string[] Scripts = ["module.lds", "module-6.1.lds", "module-v6.lds"];

    public static IEnumerable<TestCaseData> ArchesAndScripts() =>
        RealInputs.AllArches.SelectMany(a => Scripts.Select(s => new TestCaseData(a, s)));

    [TestCaseSource(nameof(ArchesAndScripts))]
    public void Link_UnderEachBundledScript_IsLdBfdsByteForByte(string arch, string script)
    {
        var machine = RealInputs.FactsOf(arch).Machine;
        Linking.LinkComparison.RequireLd(machine);
        var dir = Directory.CreateTempSubdirectory("dyndbg-vmlinux-o-").FullName;
        try
        {
            File.Copy(BuiltVmlinux.ObjectOf(arch), Path.Combine(dir, "vmlinux.o"));
            File.Copy(Path.Combine(TestPaths.Root, "linker", script), Path.Combine(dir, script));
            var outcome = Linking.LinkComparison.Run(dir, script, ["vmlinux.o"], machine);
            outcome.Differences.Should().BeEmpty();
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [TestCaseSource(typeof(RealInputs), nameof(RealInputs.AllArches))]
    public void BuiltinTable_OfTheObject_IsTheOneTheKernelsFinalLinkMade(string arch)
    {
        // readelf, not our reader: the object's __dyndbg size, and the linked image's __start/__stop bounds
        var (objectPath, linkedPath) = (BuiltVmlinux.ObjectOf(arch), BuiltVmlinux.LinkedOf(arch));
        var size = SectionSize(objectPath, "__dyndbg");
        var symbols = ReadelfOracle.Symbols(linkedPath); // .symtab (s390x's PIE vmlinux names the bounds in .dynsym too)
        ulong Symbol(string name) => symbols.Single(x => x.Name == name).Value;
        (Symbol("__stop___dyndbg") - Symbol("__start___dyndbg")).Should().Be(size, "the final link keeps every record");

        using var o = ElfFile.Open(objectPath);
        using var v = ElfFile.Open(linkedPath);
        var fromObject = MainlineImage.Load(o);
        var linked = MainlineImage.Load(v);
        var facts = RealInputs.FactsOf(arch);
        fromObject.Kind.Should().Be(ImageKind.BuiltIn);
        o.Header.Machine.Should().Be(facts.Machine);
        (o.Header.Is64, o.Header.IsBigEndian).Should().Be((facts.Is64, facts.BigEndian));
        var layout = fromObject.Decision!.Layout;
        layout.Version.Should().Be(DdebugVersion.V61);
        layout.Name.Should().Be($"v6.1-{(facts.Is64 ? 64 : 32)}{(facts.BigEndian ? "be" : "le")}-jl");
        fromObject.Records.Should().HaveCount((int)(size / (ulong)layout.RecordSize)).And.HaveCountGreaterThan(200);
        linked.Decision!.Layout.Name.Should().Be(fromObject.Decision.Layout.Name);
        fromObject.Tables.Select(t => (t.ModName, t.First, t.Count)).Should().Equal(linked.Tables.Select(t => (t.ModName, t.First, t.Count)));
        fromObject.Records.Select(r => (r.Modname, r.Function, r.Filename, r.Format, r.LineNo, r.Flags))
            .Should().Equal(linked.Records.Select(r => (r.Modname, r.Function, r.Filename, r.Format, r.LineNo, r.Flags)));
        TestContext.Out.WriteLine($"{arch} vmlinux.o: {o.Sections.Count} sections, {fromObject.Records.Count} records of {layout.RecordSize} bytes in {fromObject.Tables.Count} tables, as in vmlinux");
    }

    [TestCaseSource(typeof(RealInputs), nameof(RealInputs.AllArches))]
    public void Control_OfTheObject_IsTheLinkedKernels(string arch)
    {
        var (codeO, fromObject, errO) = CliRunner.Run("control", BuiltVmlinux.ObjectOf(arch));
        var (codeV, linked, errV) = CliRunner.Run("control", BuiltVmlinux.LinkedOf(arch));
        (codeO, errO).Should().Be((0, ""));
        (codeV, errV).Should().Be((0, ""));
        var lines = fromObject.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        using (var o = ElfFile.Open(BuiltVmlinux.ObjectOf(arch)))
        {
            var recordSize = MainlineImage.Load(o).Decision!.Layout.RecordSize;
            lines.Length.Should().Be(1 + (int)(SectionSize(BuiltVmlinux.ObjectOf(arch), "__dyndbg") / (ulong)recordSize), "the header line, then one line per record");
        }

        fromObject.Should().Be(linked);
        lines.Should().Contain(l => l.StartsWith("init/main.c:", StringComparison.Ordinal) && l.Contains(" [main]", StringComparison.Ordinal));
    }

    [TestCaseSource(typeof(RealInputs), nameof(RealInputs.AllArches))]
    public void CheckLoadAndZram_TheObject_Pass(string arch)
    {
        var path = BuiltVmlinux.ObjectOf(arch);
        var (code, output, err) = CliRunner.Run("check", path);
        (code, err).Should().Be((0, ""));
        output.Should().Contain("1 passed, 0 failed");
        (code, output, err) = CliRunner.Run("load", path);
        (code, err).Should().Be((0, ""));
        output.Should().Contain("built-in semantics");

        // issue 16: zram reads every architecture's vmlinux.o; its tables are the records as stored
        (code, output, err) = CliRunner.Run("zram", "--format", "json", path);
        (code, err).Should().Be((0, ""));
        using var doc = System.Text.Json.JsonDocument.Parse(output);
        var root = doc.RootElement.ValueKind == System.Text.Json.JsonValueKind.Array ? doc.RootElement[0] : doc.RootElement;
        var records = root.GetProperty("records").GetInt32();
        var recordSize = root.GetProperty("recordSize").GetInt32();
        ((ulong)records * (ulong)recordSize).Should().Be(SectionSize(path, "__dyndbg"));
        root.GetProperty("zram").EnumerateArray().Select(z => z.GetProperty("algorithm").GetString()).Should().Equal("lzo-rle", "lz4", "lz4hc", "zstd");
        root.GetProperty("oddPointers").GetProperty("records").GetInt32().Should().BeLessThanOrEqualTo(records);
    }

    [TestCaseSource(typeof(RealInputs), nameof(RealInputs.AllArches))]
    public void OddPointers_OfTheLinkedKernel_AreItsFileBytes_AndTheObjectLeavesThemToTheLink(string arch)
    {
        Compression.RealZramPlanTests.OddPointersAreTheFileBytesAtTheSymbolsAddresses(BuiltVmlinux.LinkedOf(arch), arch);

        // the object alone cannot decide: every record points into byte-aligned string sections the link places
        var (code, json, err) = CliRunner.Run("zram", "--format", "json", BuiltVmlinux.ObjectOf(arch));
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
