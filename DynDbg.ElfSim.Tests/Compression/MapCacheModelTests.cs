using DynDbg.ElfSim.Compression.ZramPlan;
using DynDbg.ElfSim.Control;
using DynDbg.ElfSim.DynDbg;
using DynDbg.ElfSim.Elf;

namespace DynDbg.ElfSim.Tests.Compression;

/// <summary>
/// The map/unmap cache model (docs/compression.md): kept records are the ones the control file shows printing
/// (counted here from the control file's own text), maps follow from them, and the drawn calls obey the profile.
/// </summary>
[TestFixture]
public class MapCacheModelTests
{
    private static MapCacheResult Price(string path, long hits, int seed, string? module, params string[] queries)
    {
        using var f = ElfFile.Open(path);
        var image = ImageReader.ReadMainline(f);
        var control = new DyndbgControl();
        control.Load(image);
        foreach (var q in queries)
        {
            control.Write(System.Text.Encoding.UTF8.GetBytes(q)).Failed.Should().BeFalse(q);
        }

        var layout = image.Decision!.Layout;
        return MapCacheModel.Run(control.Tables, layout.JumpLabel, layout.RecordSize + layout.PointerSize, hits, seed, module);
    }

    /// <summary>Lines of the control command's output whose flags include p (=p, =pm, ...).</summary>
    private static int PrintingLines(params string[] args)
    {
        var (code, output, _) = Cli.CliRunner.Run(["control", .. args]);
        code.Should().Be(0);
        return output.Split('\n').Count(l => !l.StartsWith('#') && System.Text.RegularExpressions.Regex.IsMatch(l, @" =[a-z_]*p[a-z_]* "));
    }

    [Test]
    public void Kept_IsWhatTheControlFileShowsPrinting_AndCatControlMapsTheRest()
    {
        var vmlinux = TestPaths.Sample("x86_64", "vmlinux.o");
        var c = Price(vmlinux, 0, 1, null);
        c.Records.Should().Be(26);
        c.KeptRecords.Should().Be(PrintingLines(vmlinux)).And.BePositive("the sample has DEBUG call sites");
        c.KeptBytes.Should().Be(c.KeptRecords * 64);
        c.CatControlMaps.Should().Be(26 - c.KeptRecords);

        var after = Price(vmlinux, 0, 1, null, "module beta +p");
        after.KeptRecords.Should().Be(PrintingLines(vmlinux, "module beta +p"));
        after.KeptRecords.Should().BeGreaterThan(c.KeptRecords);
    }

    [Test]
    public void ModuleQuery_MapsTheBlockNotKept_TheLargestTableByDefault()
    {
        var vmlinux = TestPaths.Sample("x86_64", "vmlinux.o");
        var c = Price(vmlinux, 0, 1, null);
        c.Module.Should().Be("alpha");
        c.ModuleRecords.Should().Be(11);
        var withBeta = Price(vmlinux, 0, 1, "beta");
        var betaKept = PrintingLines(vmlinux, "module beta -p") is var off ? c.KeptRecords - off : 0;
        withBeta.ModuleMaps.Should().Be(withBeta.ModuleRecords - betaKept);
        withBeta.KeptAfterModule.Should().Be(PrintingLines(vmlinux, "module beta +p"));
        Price(vmlinux, 0, 1, "nosuch").Module.Should().BeNull();
    }

    [Test]
    public void Hits_JumpLabelCostsNothingWithTheCache_NoJumpLabelMapsEveryCallOnASiteNotKept()
    {
        var jl = TestPaths.Sample("x86_64", "vmlinux.o");
        var all = Price(jl, 5000, 7, null, "+p");
        all.JumpLabel.Should().BeTrue();
        all.HitsOnKept.Should().Be(5000);
        all.HitMaps.Should().Be(0);
        all.HitMapsWithoutCache.Should().Be(5000);

        var nojl = TestPaths.Sample("x86_64", "gamma.ko");
        var none = Price(nojl, 5000, 7, null, "-p");
        none.JumpLabel.Should().BeFalse();
        none.HitsOnKept.Should().Be(0);
        none.HitMaps.Should().Be(5000, "!JUMP_LABEL: every call reads the flags from the object");
        none.HitMapsWithFlagsVector.Should().Be(0);
        none.FlagsVectorBytes.Should().Be(none.Records);
    }

    [Test]
    public void Hits_AreSeeded_AndLandInProportion()
    {
        var vmlinux = TestPaths.Sample("x86_64", "vmlinux.o");
        var a = Price(vmlinux, 20000, 3, null);
        Price(vmlinux, 20000, 3, null).HitsOnKept.Should().Be(a.HitsOnKept);
        var expected = 20000.0 * a.KeptRecords / a.Records;
        ((double)a.HitsOnKept).Should().BeApproximately(expected, 5 * Math.Sqrt(expected));
    }
}
