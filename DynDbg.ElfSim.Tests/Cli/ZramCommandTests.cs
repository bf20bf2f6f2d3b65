using System.Text.Json;
using DynDbg.ElfSim.Cli;
using DynDbg.ElfSim.Compression.Zram;
using DynDbg.ElfSim.Compression.ZramPlan;
using DynDbg.ElfSim.Elf;
using DynDbg.ElfSim.Tests.Compression;

namespace DynDbg.ElfSim.Tests.Cli;

/// <summary>
/// The <c>zram</c> command (issue 16): text pinned by golden files, the JSON contract's figures recomputed here from
/// the section bytes and the zram core's API, CSV rows, totals, dumps and exit codes.
/// </summary>
[TestFixture]
public class ZramCommandTests
{
    private static string Sample(string arch, string file) => TestPaths.Sample(arch, file);

    private static string Golden(string name) => File.ReadAllText(TestPaths.Golden(Path.Combine("zram", name)));

    [TestCase("x86_64", "vmlinux.o")]
    [TestCase("i386", "gamma.ko")]
    [TestCase("s390x", "alpha.ko")]
    public void Text_IsTheGoldenFile(string arch, string file)
    {
        var path = Sample(arch, file);
        var (code, output, err) = CliRunner.Run("zram", "-q", "file *_util.c +p", path);
        code.Should().Be(ExitCodes.Ok, err);
        output.Replace(path, $"samples/objs/{arch}/{file}", StringComparison.Ordinal).Should().Be(Golden($"{arch}-{file}.zram"));
    }

    [TestCase("x86_64", "alpha.ko")]
    [TestCase("i386", "gamma.ko")]
    [TestCase("s390x", "beta.ko")]
    [TestCase("armhf", "delta.ko")]
    public void Json_TheContractsFigures_RecomputedFromTheSection(string arch, string file)
    {
        var path = Sample(arch, file);
        var (code, output, err) = CliRunner.Run("zram", "--format", "json", path);
        code.Should().Be(ExitCodes.Ok, err);
        using var doc = JsonDocument.Parse(output);
        var o = doc.RootElement;

        using var f = ElfFile.Open(path);
        var section = f.FindSection("__dyndbg")!;
        var bytes = f.GetContents(section).ToArray();
        var recordSize = o.GetProperty("recordSize").GetInt32();
        var records = o.GetProperty("records").GetInt64();
        records.Should().Be(bytes.Length / recordSize).And.BePositive();
        o.GetProperty("dyndbgBytes").GetInt64().Should().Be(bytes.Length);

        var pool = ZsPoolModel.Allocate(recordSize + f.PointerSize, records);
        var zs = o.GetProperty("zsPool");
        zs.GetProperty("classSize").GetInt32().Should().Be(pool.ClassSize);
        zs.GetProperty("objectsPerZspage").GetInt32().Should().Be(pool.ObjectsPerZspage);
        zs.GetProperty("pagesPerZspage").GetInt32().Should().Be(pool.PagesPerZspage);
        zs.GetProperty("pages").GetInt64().Should().Be(pool.Pages);
        zs.GetProperty("bytes").GetInt64().Should().Be(pool.Bytes);
        zs.GetProperty("handleBytes").GetInt64().Should().Be(pool.HandleBytes);
        zs.GetProperty("beforeBytes").GetInt64().Should().Be(bytes.Length);
        zs.GetProperty("afterBytes").GetInt64().Should().Be(pool.Bytes + pool.HandleBytes);
        zs.GetProperty("duringBytes").GetInt64().Should().Be(bytes.Length + pool.Bytes + pool.HandleBytes);

        var zram = o.GetProperty("zram").EnumerateArray().ToList();
        zram.Select(z => z.GetProperty("algorithm").GetString()).Should().Equal("lzo-rle", "lz4", "lz4hc", "zstd");
        foreach (var (z, a) in zram.Zip(ZramAlgorithmNames.All))
        {
            var device = new ZramDevice(a);
            device.Write(bytes);
            z.GetProperty("origDataSize").GetInt64().Should().Be(device.Stats.OrigDataSize);
            z.GetProperty("comprDataSize").GetInt64().Should().Be(device.Stats.ComprDataSize, a.Name());
            z.GetProperty("memUsedTotal").GetInt64().Should().Be(device.Stats.MemUsedTotal);
            z.GetProperty("samePages").GetInt64().Should().Be(device.Stats.SamePages);
        }

        o.GetProperty("zramSites").GetArrayLength().Should().Be(4);
        var (byField, any, _) = LoadedPointerParity.Count(f, recordSize);
        var odd = o.GetProperty("oddPointers");
        odd.GetProperty("records").GetInt32().Should().Be(any);
        var fields = odd.GetProperty("byField");
        new[] { "modname", "function", "filename", "format" }.Select(n => fields.GetProperty(n).GetInt32()).Should().Equal(byField);
    }

    [Test]
    public void Csv_TwelveRowsPerInputWithRecords_OneWithoutZram()
    {
        var (code, output, _) = CliRunner.Run("zram", "--format", "csv", Sample("x86_64", "alpha.ko"), Sample("x86_64", "beta.ko"));
        code.Should().Be(0);
        var lines = output.TrimEnd('\n').Split('\n');
        lines[0].Should().Be(ZramCsvReportHeader);
        lines.Should().HaveCount(1 + 24, "records, loaded and sites, four algorithms each, for each input");
        lines.Skip(1).Select(l => l.Split(',')[^7]).Distinct().Should().Equal("records", "loaded", "sites");

        (code, output, _) = CliRunner.Run("zram", "--format", "csv", "--no-zram", Sample("x86_64", "alpha.ko"));
        code.Should().Be(0);
        output.TrimEnd('\n').Split('\n').Should().HaveCount(2);
    }

    private static string ZramCsvReportHeader => Reports.ZramCsvReport.Header;

    [Test]
    public void Total_OnePoolAndOneDevicePerAlgorithm_EachInputFromAPageBoundary()
    {
        string[] inputs = [Sample("x86_64", "alpha.ko"), Sample("x86_64", "beta.ko"), Sample("x86_64", "gamma.ko")];
        var each = inputs.Select(i => JsonDocument.Parse(CliRunner.Run("zram", "--format", "json", i).Out).RootElement).ToList();
        var (code, output, _) = CliRunner.Run(["zram", "--format", "json", "--total", "--hits", "1000", .. inputs]);
        code.Should().Be(0);
        var total = JsonDocument.Parse(output).RootElement;
        total.GetProperty("inputs").GetInt32().Should().Be(3);
        total.GetProperty("records").GetInt64().Should().Be(each.Sum(e => e.GetProperty("records").GetInt64()));
        total.GetProperty("oddPointers").GetProperty("records").GetInt64().Should().Be(each.Sum(e => e.GetProperty("oddPointers").GetProperty("records").GetInt64()));
        total.GetProperty("zram")[0].GetProperty("origDataSize").GetInt64().Should().Be(each.Sum(e => e.GetProperty("zram")[0].GetProperty("origDataSize").GetInt64()));
        total.GetProperty("cache").GetProperty("hits").GetProperty("calls").GetInt64().Should().Be(1000, "the calls are drawn over the whole kernel, not per input");
        total.GetProperty("cache").GetProperty("keptRecords").GetInt64().Should().Be(each.Sum(e => e.GetProperty("cache").GetProperty("keptRecords").GetInt64()));
    }

    [Test]
    public void Dump_WritesTheDeviceBytes_TheSectionAsStored()
    {
        var dir = Path.Combine(TestContext.CurrentContext.WorkDirectory, "zram-dump");
        if (Directory.Exists(dir))
        {
            Directory.Delete(dir, true);
        }

        var path = Sample("armhf", "alpha.ko");
        var (code, _, err) = CliRunner.Run("zram", "--no-zram", "--dump", dir, path);
        code.Should().Be(0, err);
        using var f = ElfFile.Open(path);
        File.ReadAllBytes(Path.Combine(dir, "alpha.ko.dyndbg")).Should().Equal(f.GetContents(f.FindSection("__dyndbg")!).ToArray());
        var records = f.FindSection("__dyndbg")!.Size / 32;
        File.ReadAllBytes(Path.Combine(dir, "alpha.ko.sites")).Length.Should().Be((int)records * 16, "v5 sites: 3 x 4 bytes, __aligned(8)");
    }

    [Test]
    public void PoolOption_ChangesTheAllocator()
    {
        var (_, output, _) = CliRunner.Run("zram", "--format", "json", "--no-zram", "--pool", "zbud", Sample("x86_64", "gamma.ko"));
        var zs = JsonDocument.Parse(output).RootElement.GetProperty("zsPool");
        zs.GetProperty("allocator").GetString().Should().Be("zbud");
        zs.GetProperty("pages").GetInt64().Should().Be(ZsPoolModel.Allocate(48, 4, ZpoolKind.Zbud).Pages);
    }

    [Test]
    public void AFailedQuery_IsExit1_NamingTheWrite()
    {
        var (code, _, err) = CliRunner.Run("zram", "--no-zram", "-q", "module alpha +p", "-q", "nonsense here", Sample("x86_64", "alpha.ko"));
        code.Should().Be(ExitCodes.CheckFailed);
        err.Should().Contain("write 2 'nonsense here': -EINVAL");
    }

    [Test]
    public void BadInputAndUsage_AreExit2_OnOneLine()
    {
        var (code, _, err) = CliRunner.Run("zram", "/nonexistent/x.ko");
        code.Should().Be(ExitCodes.BadInput);
        err.TrimEnd('\n').Split('\n').Should().ContainSingle();

        (code, _, err) = CliRunner.Run("zram", "--hits", "-5", Sample("x86_64", "alpha.ko"));
        code.Should().Be(ExitCodes.BadInput);
        err.Should().Contain("--hits -5");

        (code, _, err) = CliRunner.Run("zram", "--pool", "zpool", Sample("x86_64", "alpha.ko"));
        code.Should().Be(ExitCodes.BadInput);

        (code, _, err) = CliRunner.Run("zram", "--hit", "5", Sample("x86_64", "alpha.ko"));
        code.Should().Be(ExitCodes.BadInput);
        err.Should().Contain("unknown option '--hit'");
    }
}
