using DynDbg.ElfSim.Compression.ZramPlan;
using DynDbg.ElfSim.DynDbg;
using DynDbg.ElfSim.Elf;

namespace DynDbg.ElfSim.Tests.Compression;

/// <summary>
/// The 2020 plan's <c>% 2</c> test (issue 16): the counts agree with the loader emulation's relocated bytes on the
/// samples of every architecture and on synthesized modules; the <c>is_zhandle</c> flag's cost follows the 6.1
/// struct layout of each profile.
/// </summary>
[TestFixture]
public class OddPointerTestTests
{
    private static readonly string[] Arches = TestPaths.Arches;

    private static OddPointerResult Run(string path, out int recordSize)
    {
        using var f = ElfFile.Open(path);
        var image = ImageReader.ReadMainline(f);
        recordSize = image.Decision!.Layout.RecordSize;
        return OddPointerTest.Run(f, image);
    }

    [TestCaseSource(nameof(Arches))]
    public void Samples_CountsEqualTheRelocatedBytes(string arch)
    {
        foreach (var name in new[] { "alpha.ko", "beta.ko", "gamma.ko", "delta.ko" })
        {
            var path = TestPaths.Sample(arch, name);
            var result = Run(path, out var size);
            using var f = ElfFile.Open(path);
            var (byField, any, records) = LoadedPointerParity.Count(f, size);
            records.Should().BeGreaterThan(0, path);
            new[] { result.Modname, result.Function, result.Filename, result.Format }.Should().Equal(byField, path);
            result.Records.Should().Be(any, path);
            result.First.Should().HaveCount(Math.Min(any, OddPointerResult.Named));
            result.First.All(s => s.Fields.Count > 0 && s.Line > 0 && s.Function.Length > 0).Should().BeTrue(path);
        }
    }

    [TestCaseSource(nameof(Arches))]
    public void ZramLoadedBytes_AreTheLoadersRelocatedDyndbg(string arch)
    {
        foreach (var name in new[] { "alpha.ko", "gamma.ko" })
        {
            var path = TestPaths.Sample(arch, name);
            using var f = ElfFile.Open(path);
            var result = ZramPlanStudy.Run(f, ImageReader.ReadMainline(f), new ZramPlanOptions(Zram: false, Hits: 0));
            result.LoadedBytes.Should().Equal(LoadedPointerParity.Bytes(f), path);
            result.LoadedBytes.Should().NotEqual(result.RecordBytes, "RELA objects store zero, REL ones the addend");
        }
    }

    [Test]
    public void SynthesizedModules_ArePlacedAsModules_AndAgreeWithTheRelocatedBytes()
    {
        var dir = Path.Combine(TestContext.CurrentContext.WorkDirectory, "oddptr-synth");
        if (Directory.Exists(dir))
        {
            Directory.Delete(dir, true);
        }

        Cli.CliRunner.Run("synth", "-o", dir, "--modules", "6", "--callsites", "600", "--seed", "16").Code.Should().Be(0);
        var modules = Directory.GetFiles(dir, "*.ko", SearchOption.AllDirectories);
        modules.Should().HaveCount(6);
        var odd = 0;
        foreach (var ko in modules)
        {
            var result = Run(ko, out var size);
            result.Placement.Should().StartWith("module:");
            result.LayoutDependent.Should().Be(0);
            using var f = ElfFile.Open(ko);
            var (byField, any, _) = LoadedPointerParity.Count(f, size);
            new[] { result.Modname, result.Function, result.Filename, result.Format }.Should().Equal(byField, ko);
            result.Records.Should().Be(any);
            odd += any;
        }

        odd.Should().BePositive("byte-aligned strings give odd pointers in some records");
    }

    [Test]
    public void ARelocatableBuiltIn_SaysWhichParitiesTheVmlinuxLinkDecides()
    {
        var result = Run(TestPaths.Sample("x86_64", "vmlinux.o"), out _);
        result.Placement.Should().StartWith("relocatable built-in object");
        // every record points into .rodata.str1.1 (SHF_MERGE|SHF_STRINGS, byte-aligned): the final link moves them
        result.LayoutDependent.Should().Be(26);
    }

    [TestCase("v6.1-64le-jl", 56, 8)]
    [TestCase("v6.1-64le-nojl", 40, 4)]
    [TestCase("v6.1-32le-jl", 32, 4)]
    [TestCase("v6.1-32be-nojl", 24, 4)]
    [TestCase("v5.9-64le-jl", 56, 8)]
    public void TheFlag_TakesAFreeBitOfFlags8_CostingNothing(string profile, int recordSize, int padding)
    {
        var layout = DdebugLayout.ByName(profile)!;
        layout.RecordSize.Should().Be(recordSize);
        var flag = OddPointerTest.Flag(layout, 7, 0);
        flag.Bit.Should().Be(0x40u);
        flag.FreeFlagBits.Should().Be(3, "6.1 defines p, m, f, l, t: bits 0-4 of flags:8");
        flag.PaddingBytes.Should().Be(padding);
        flag.CostBytes.Should().Be(0);
        flag.MisreadsByParity.Should().Be(7);
    }

    [Test]
    public void TheFlag_MisreadsNoRecordOfTheSamples()
    {
        foreach (var arch in Arches)
        {
            Run(TestPaths.Sample(arch, "alpha.ko"), out _).Flag!.MisreadsWithFlag.Should().Be(0, arch);
        }
    }
}
