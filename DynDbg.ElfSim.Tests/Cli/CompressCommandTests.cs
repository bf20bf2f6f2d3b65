using System.Diagnostics;
using System.Text.Json;
using DynDbg.ElfSim.Cli;
using DynDbg.ElfSim.Compression;
using DynDbg.ElfSim.Diagnostics;
using DynDbg.ElfSim.DynDbg;
using DynDbg.ElfSim.Elf;
using DynDbg.ElfSim.Reports;

namespace DynDbg.ElfSim.Tests.Cli;

/// <summary>The <c>compress</c> command's contract: text, JSON and CSV shapes, totals, dumps, exit codes, libzstd missing.</summary>
[TestFixture]
public class CompressCommandTests
{
    private static string Sample(string arch, string file) => TestPaths.Sample(arch, file);

    [Test]
    public void Text_ShowsEveryStore_TheBestMarked_AndTheCache()
    {
        var (code, output, err) = CliRunner.Run("compress", "--budget-ms", "1", Sample("x86_64", "vmlinux.o"));
        code.Should().Be(ExitCodes.Ok, err);
        output.Should().Contain("Records:   26, 8-byte pointers");
        output.Should().Contain("Sites:     624 bytes of site pointers (26 records x 3 x 8)");
        foreach (var name in SiteStoreOptions.StoreNames)
        {
            output.Should().MatchRegex($@"\n[* ] {System.Text.RegularExpressions.Regex.Escape(name)} +\d+ ");
        }

        output.Split('\n').Count(l => l.StartsWith('*')).Should().Be(1);
        output.Should().MatchRegex(@"\n  raw +624 +1\.000 +0  yes ");
        output.Should().Contain("Cache:     late fetch keeps 64 bytes per enabled site (kmalloc class) + a 512-byte hash table; all 26 enabled and used: 2176 bytes");
    }

    [Test]
    public void Json_HasTheIssuesKeys_OneObjectPerInput()
    {
        var (code, output, _) = CliRunner.Run("compress", "--format", "json", "--budget-ms", "0", Sample("x86_64", "alpha.ko"), Sample("i386", "gamma.ko"));
        code.Should().Be(0);
        using var doc = JsonDocument.Parse(output);
        doc.RootElement.ValueKind.Should().Be(JsonValueKind.Array);
        var first = doc.RootElement[0];
        first.GetProperty("file").GetString().Should().EndWith("alpha.ko");
        first.GetProperty("records").GetInt32().Should().Be(11);
        first.GetProperty("pointerSize").GetInt32().Should().Be(8);
        first.GetProperty("rawSiteBytes").GetInt64().Should().Be(11 * 3 * 8);
        var stores = first.GetProperty("stores").EnumerateArray().ToList();
        stores.Select(s => s.GetProperty("name").GetString()).Should().Equal(SiteStoreOptions.StoreNames);
        foreach (var s in stores)
        {
            s.GetProperty("bytes").GetInt64().Should().Be(
                s.GetProperty("dataBytes").GetInt64() + s.GetProperty("indexBytes").GetInt64() + s.GetProperty("dictionaryBytes").GetInt64());
            s.GetProperty("ratio").GetDouble().Should().BeApproximately(s.GetProperty("bytes").GetInt64() / 264.0, 1e-5);
            s.GetProperty("randomAccess").ValueKind.Should().BeOneOf(JsonValueKind.True, JsonValueKind.False);
            s.GetProperty("getNs").ValueKind.Should().Be(JsonValueKind.Null, "--budget-ms 0 skips timing");
            s.GetProperty("streamNs").ValueKind.Should().Be(JsonValueKind.Null);
            s.GetProperty("exact").GetBoolean().Should().BeTrue();
        }

        stores.Count(s => s.GetProperty("best").GetBoolean()).Should().Be(1);
        stores.Single(s => s.GetProperty("name").GetString() == "rle").GetProperty("randomAccess").GetBoolean().Should().BeFalse();
        doc.RootElement[1].GetProperty("pointerSize").GetInt32().Should().Be(4);
        doc.RootElement[1].GetProperty("zstd").GetProperty("available").GetBoolean().Should().BeTrue();
    }

    [Test]
    public void Json_WithTiming_HasNumbers()
    {
        var (code, output, _) = CliRunner.Run("compress", "--format", "json", "--budget-ms", "1", Sample("x86_64", "delta.ko"));
        code.Should().Be(0);
        using var doc = JsonDocument.Parse(output);
        doc.RootElement.ValueKind.Should().Be(JsonValueKind.Object);
        foreach (var s in doc.RootElement.GetProperty("stores").EnumerateArray())
        {
            s.GetProperty("getNs").GetDouble().Should().BePositive();
            s.GetProperty("streamNs").GetDouble().Should().BePositive();
        }

        doc.RootElement.GetProperty("cache").GetProperty("hitNs").GetDouble().Should().BePositive();
    }

    [Test]
    public void Csv_OneHeader_OneRowPerStore()
    {
        var (code, output, _) = CliRunner.Run("compress", "--format", "csv", "--budget-ms", "0", Sample("x86_64", "alpha.ko"), Sample("x86_64", "beta.ko"));
        code.Should().Be(0);
        var lines = output.TrimEnd('\n').Split('\n');
        lines[0].Should().Be("file,records,pointerSize,rawSiteBytes,store,bytes,ratio,savedBytes,randomAccess,getNs,streamNs,dataBytes,indexBytes,dictionaryBytes,workspaceBytes,exact,best");
        lines.Should().HaveCount(1 + (2 * SiteStoreOptions.StoreNames.Length));
        lines.Skip(1).Should().OnlyContain(l => l.Split(',').Length == 17);
        lines[1].Should().StartWith($"{Sample("x86_64", "alpha.ko")},11,8,264,raw,264,1.000000,0,true,,,264,0,0,0,true,");
    }

    [Test]
    public void InputWithoutRecords_NoBestStore_NoCsvRows()
    {
        var empty = SiteTable.Create("empty.ko", 8, false, ImageKind.Module, []);
        var result = CompressionStudy.Run(empty, new SiteStoreOptions(Zstd: false));
        result.Best.Should().BeNull();
        var csv = new StringWriter();
        CompressCsvReport.Write(csv, result);
        csv.ToString().Should().BeEmpty();
        var text = new StringWriter { NewLine = "\n" };
        CompressTextReport.Write(text, result);
        text.ToString().Should().Be("File:      empty.ko\nRecords:   0 (no dyndbg callsites: nothing to compress)\n");
    }

    [Test]
    public void Total_SumsEveryInput_OfAWalkedDirectory()
    {
        // A tree of the mainline x86_64 samples (the samples folder also holds diet images, which compress does not read).
        var dir = Directory.CreateTempSubdirectory("dyndbg-compress-walk-").FullName;
        Directory.CreateDirectory(Path.Combine(dir, "sub"));
        foreach (var f in Directory.EnumerateFiles(Path.Combine(TestPaths.Samples, "x86_64")))
        {
            File.Copy(f, Path.Combine(dir, f.EndsWith(".ko", StringComparison.Ordinal) ? "sub" : "", Path.GetFileName(f)));
        }

        var (code, output, _) = CliRunner.Run("compress", "--total", "--format", "json", "--budget-ms", "0", "--no-zstd", dir);
        code.Should().Be(0);
        using var doc = JsonDocument.Parse(output);
        var total = doc.RootElement;
        var files = Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories).ToList();
        total.GetProperty("inputs").GetInt32().Should().Be(files.Count);
        var records = files.Sum(f =>
        {
            using var e = ElfFile.Open(f);
            return MainlineImage.Load(e).Records.Count;
        });
        total.GetProperty("records").GetInt32().Should().Be(records);
        total.GetProperty("rawSiteBytes").GetInt64().Should().Be(records * 24L);
        total.GetProperty("stores").EnumerateArray().Select(s => s.GetProperty("name").GetString()).Should().Equal("raw", "rle", "v6-pack", "cols");
    }

    [Test]
    public void DirectoryWalk_SkipsFifosAndNonElfFiles_WithoutBlocking()
    {
        var dir = Directory.CreateTempSubdirectory("dyndbg-walk-").FullName;
        try
        {
            File.Copy(Sample("x86_64", "gamma.ko"), Path.Combine(dir, "gamma.ko"));
            File.WriteAllText(Path.Combine(dir, "README"), "not an ELF file, but longer than sixteen bytes\n");
            using (var mkfifo = Process.Start("mkfifo", Path.Combine(dir, "pipe")))
            {
                mkfifo.WaitForExit();
                mkfifo.ExitCode.Should().Be(0);
            }

            var run = Task.Run(() => CliRunner.Run("compress", "--format", "json", "--budget-ms", "0", "--no-zstd", dir));
            run.Wait(TimeSpan.FromSeconds(60)).Should().BeTrue("opening a FIFO would block forever");
            run.Result.Code.Should().Be(0, run.Result.Err);
            using var doc = JsonDocument.Parse(run.Result.Out);
            doc.RootElement.GetProperty("file").GetString().Should().EndWith("gamma.ko");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Test]
    public void Dump_WritesTheSitesArray()
    {
        var dir = Path.Combine(TestContext.CurrentContext.WorkDirectory, "dump-" + Guid.NewGuid().ToString("N"));
        var (code, _, err) = CliRunner.Run("compress", "--budget-ms", "0", "--no-zstd", "--dump", dir, Sample("s390x", "alpha.ko"));
        code.Should().Be(0, err);
        using var f = ElfFile.Open(Sample("s390x", "alpha.ko"));
        File.ReadAllBytes(Path.Combine(dir, "alpha.ko.sites")).Should().Equal(SiteTable.From(f, MainlineImage.Load(f)).ToBytes());
        Directory.EnumerateFiles(dir).Should().HaveCount(1, "no temporary file is left behind");
    }

    [TestCase("--level", "0", "--level 0 is outside zstd's 1..22")]
    [TestCase("--block", "0", "--block 0: a block holds at least one record")]
    [TestCase("--dict-capacity", "100", "--dict-capacity 100 is below ZDICT_DICTSIZE_MIN (256); 0 picks it from the samples")]
    [TestCase("--stride", "0", "--stride 0: a checkpoint every 1 or more runs")]
    [TestCase("--budget-ms", "-1", "--budget-ms -1 is negative")]
    public void BadParameter_IsUsageError(string option, string value, string message)
    {
        var (code, output, err) = CliRunner.Run("compress", option, value, Sample("x86_64", "alpha.ko"));
        code.Should().Be(ExitCodes.BadInput);
        output.Should().BeEmpty();
        err.Should().Be($"dyndbg-elfsim: error {UsageErrorIds.Usage}: {message}\n");
    }

    [Test]
    public void UnknownOption_IsUsageError()
    {
        var (code, _, err) = CliRunner.Run("compress", "--bogus", Sample("x86_64", "alpha.ko"));
        code.Should().Be(ExitCodes.BadInput);
        err.Should().StartWith($"dyndbg-elfsim: error {UsageErrorIds.Usage}: ");
        err.TrimEnd('\n').Should().NotContain("\n");
    }

    [Test]
    public void MissingFile_IsExit2_OneLine_NothingPrinted()
    {
        var (code, output, err) = CliRunner.Run("compress", Sample("x86_64", "alpha.ko"), "/nonexistent/x.ko");
        code.Should().Be(ExitCodes.BadInput);
        output.Should().BeEmpty();
        err.TrimEnd('\n').Should().NotContain("\n").And.StartWith("/nonexistent/x.ko: error ELF031: ");
    }

    [Test]
    public void MissingLibzstd_TheManagedPortRunsTheZstdStores_NothingSkipped()
    {
        // The library is resolved once per process, so this runs the tool in a process of its own.
        var (code, output, err) = RunWithoutLibzstd("compress", "--format", "json", "--budget-ms", "0", Sample("x86_64", "alpha.ko"));
        code.Should().Be(ExitCodes.Ok, err);
        err.Should().BeEmpty("auto falls back without a note; the output names the implementation");
        using var doc = JsonDocument.Parse(output);
        var stores = doc.RootElement.GetProperty("stores").EnumerateArray().ToList();
        stores.Select(s => s.GetProperty("name").GetString()).Should().Equal(SiteStoreOptions.StoreNames);
        stores.Should().OnlyContain(s => s.GetProperty("exact").GetBoolean());
        var zstd = doc.RootElement.GetProperty("zstd");
        zstd.GetProperty("available").GetBoolean().Should().BeTrue();
        zstd.GetProperty("implementation").GetString().Should().Be("managed");
        zstd.GetProperty("library").GetString().Should().Be("ZstdSharp.Port");
        zstd.GetProperty("version").GetString().Should().Be("1.5.7");
        zstd.GetProperty("description").GetString().Should().Be("ZstdSharp.Port 0.8.8 (zstd 1.5.7, managed)");
        zstd.GetProperty("problem").GetString().Should().Be(
            $"libzstd not found (tried /nonexistent/libzstd.so.1); install the 'libzstd1' package, or set {ZstdLibrary.PathVariable}");
    }

    [Test]
    public void MissingLibzstd_ForcedSystem_IsOneCmp001Line_Exit2()
    {
        var (code, output, err) = RunWithoutLibzstd("compress", "--zstd", "system", Sample("x86_64", "alpha.ko"));
        code.Should().Be(ExitCodes.BadInput);
        output.Should().BeEmpty();
        err.Should().Be($"dyndbg-elfsim: error {CompressionErrorIds.ZstdUnavailable}: libzstd not found (tried /nonexistent/libzstd.so.1); " +
            $"install the 'libzstd1' package, or set {ZstdLibrary.PathVariable}; --zstd managed (or auto) uses ZstdSharp.Port instead\n");
    }

    [Test]
    public void ForcedManaged_NamesTheManagedPort_InTextAndJson()
    {
        var (code, output, err) = CliRunner.Run("compress", "--zstd", "managed", "--budget-ms", "0", Sample("x86_64", "vmlinux.o"));
        code.Should().Be(ExitCodes.Ok, err);
        output.Should().Contain("\nzstd:      ZstdSharp.Port 0.8.8 (zstd 1.5.7, managed)\n");
        foreach (var name in SiteStoreOptions.StoreNames)
        {
            output.Should().MatchRegex($@"\n[* ] {System.Text.RegularExpressions.Regex.Escape(name)} +\d+ .* yes\n");
        }

        (code, output, err) = CliRunner.Run("compress", "--zstd", "managed", "--format", "json", "--budget-ms", "0", Sample("x86_64", "vmlinux.o"));
        code.Should().Be(ExitCodes.Ok, err);
        using var doc = JsonDocument.Parse(output);
        doc.RootElement.GetProperty("zstd").GetProperty("implementation").GetString().Should().Be("managed");
        doc.RootElement.GetProperty("zstd").GetProperty("description").GetString().Should().Be("ZstdSharp.Port 0.8.8 (zstd 1.5.7, managed)");
    }

    [Test]
    public void Default_IsTheSystemLibrary_NamedWithItsVersion()
    {
        if (!ZstdLibrary.IsAvailable)
        {
            Tools.Missing($"libzstd is not available ({ZstdLibrary.Problem}) (Debian: apt-get install libzstd1)");
        }

        foreach (var args in new[] { new[] { "compress" }, ["compress", "--zstd", "system"] })
        {
            var (code, output, err) = CliRunner.Run([.. args, "--budget-ms", "0", Sample("x86_64", "vmlinux.o")]);
            code.Should().Be(ExitCodes.Ok, err);
            output.Should().Contain($"\nzstd:      libzstd {ZstdLibrary.Version} (system)\n");
        }

        var (_, json, _) = CliRunner.Run("compress", "--format", "json", "--budget-ms", "0", Sample("x86_64", "alpha.ko"));
        using var doc = JsonDocument.Parse(json);
        var zstd = doc.RootElement.GetProperty("zstd");
        zstd.GetProperty("implementation").GetString().Should().Be("system");
        zstd.GetProperty("library").GetString().Should().Be(ZstdLibrary.LoadedName);
        zstd.GetProperty("version").GetString().Should().Be(ZstdLibrary.Version);
        zstd.TryGetProperty("problem", out _).Should().BeFalse();
    }

    [Test]
    public void NoZstd_PrintsNoZstdLine_AndJsonSaysUnavailable()
    {
        var (code, output, _) = CliRunner.Run("compress", "--no-zstd", "--budget-ms", "0", Sample("x86_64", "alpha.ko"));
        code.Should().Be(ExitCodes.Ok);
        output.Should().NotContain("zstd:");
        (_, output, _) = CliRunner.Run("compress", "--no-zstd", "--format", "json", "--budget-ms", "0", Sample("x86_64", "alpha.ko"));
        using var doc = JsonDocument.Parse(output);
        doc.RootElement.GetProperty("zstd").GetProperty("available").GetBoolean().Should().BeFalse();
    }

    /// <summary>
    /// The tool in a process of its own with <c>$DYNDBG_ELFSIM_LIBZSTD</c> pointing nowhere: the binary under test
    /// (the AOT one under <c>DYNDBG_ELFSIM_EXE</c>, the case the fallback is for), else this build's dll.
    /// </summary>
    private static (int Code, string Out, string Err) RunWithoutLibzstd(params string[] args)
    {
        var psi = new ProcessStartInfo(CliRunner.Executable ?? "dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        if (CliRunner.Executable is null)
        {
            psi.ArgumentList.Add(typeof(Program).Assembly.Location);
        }

        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        psi.Environment[ZstdLibrary.PathVariable] = "/nonexistent/libzstd.so.1";
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        var output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, output, err.Result);
    }

    [Test]
    public void Levels_GiveEachZstdStoreAtEveryLevel_SummedOverTheInputs_TheBestMarked()
    {
        var inputs = new[] { Sample("x86_64", "vmlinux.o"), Sample("x86_64", "alpha.ko") };
        var (code, output, err) = CliRunner.Run(["compress", "--levels", "--format", "json", .. inputs]);
        code.Should().Be(0, err);
        using var doc = System.Text.Json.JsonDocument.Parse(output);
        var root = doc.RootElement;
        root.GetProperty("inputs").GetInt32().Should().Be(2);
        var levels = root.GetProperty("levels").EnumerateArray().ToList();
        levels.Select(l => l.GetProperty("level").GetInt32()).Should().Equal(Enumerable.Range(1, 22));
        levels.Should().OnlyContain(l => l.GetProperty("exact").GetBoolean());

        // level 19 of the curve is what the study at its default level gives, summed over the inputs
        var (_, study, _) = CliRunner.Run(["compress", "--format", "json", "--budget-ms", "0", .. inputs]);
        using var s = System.Text.Json.JsonDocument.Parse(study);
        foreach (var store in new[] { "zstd", "zstd-block", "zstd-dict" })
        {
            var sum = s.RootElement.EnumerateArray().Sum(r => r.GetProperty("stores").EnumerateArray()
                .First(x => x.GetProperty("name").GetString() == store).GetProperty("bytes").GetInt64());
            levels[18].GetProperty(store).GetInt64().Should().Be(sum, store);
            var best = root.GetProperty("best").GetProperty(store).GetInt32();
            levels.Min(l => l.GetProperty(store).GetInt64()).Should().Be(levels[best - 1].GetProperty(store).GetInt64());
        }

        var (_, text, _) = CliRunner.Run(["compress", "--levels", .. inputs]);
        text.Should().Contain("  level        zstd  zstd-block   zstd-dict  exact").And.Contain("best:      zstd at level ");
        var (_, csv, _) = CliRunner.Run(["compress", "--levels", "--format", "csv", .. inputs]);
        csv.Split('\n', StringSplitOptions.RemoveEmptyEntries).Should().HaveCount(23).And.StartWith("level,zstd,zstd-block,zstd-dict,exact");
    }

    [Test]
    public void Levels_WithoutZstd_IsAUsageError()
    {
        var (code, _, err) = CliRunner.Run("compress", "--levels", "--no-zstd", Sample("x86_64", "alpha.ko"));
        code.Should().Be(ExitCodes.BadInput);
        err.Should().Be($"dyndbg-elfsim: error {UsageErrorIds.Usage}: --levels is the zstd stores' curve; --no-zstd leaves none\n");
    }
}
