using DynDbg.ElfSim.Compression;
using DynDbg.ElfSim.DynDbg;
using DynDbg.ElfSim.Elf;

namespace DynDbg.ElfSim.Tests.Compression;

/// <summary>
/// The study on Debian's real kernels: every store exact on the amd64 vmlinux and on every module of every
/// release architecture, rle equal to the author's formula as the load summary counts runs, the zstd figures
/// equal to the zstd command line's, and this tool's own store the smallest.
/// </summary>
[TestFixture]
[Category("Real")]
[NonParallelizable] // real-kernel fixtures run one at a time, as before the unit tests ran in parallel
public class RealCompressionTests
{
    private static readonly SiteStoreOptions NoTiming = new();

    private static (SiteTable Table, IReadOnlyList<DdebugRecord> Records) Load(string path)
    {
        using var f = ElfFile.Open(path);
        var image = MainlineImage.Load(f);
        return (SiteTable.From(f, image), image.Records);
    }

    [Test]
    public void Vmlinux_EveryStoreExact_RleIsTheAuthorsFormula_ColsSmallest()
    {
        var (table, records) = Load(Real.RealInputs.Vmlinux("amd64"));
        table.Count.Should().BeGreaterThan(1000);
        var result = CompressionStudy.Run(table, NoTiming);
        result.Stores.Should().OnlyContain(s => s.Exact);
        result.Best.Should().Be("cols");

        // Runs of equal pointers as `load` counts them (ColumnRepetition): records - pointer repeats, per column.
        var runs = ColumnRepetition.Measure(records).Sum(c => c.Records - c.PointerRepeats);
        result.Stores.Single(s => s.Name == "rle").Bytes.Should().Be(runs * (8 + 2L));

        var all = result.Strings.Single(s => s.Column == "all");
        all.SiteOnlyBytes.Should().BePositive().And.BeLessThan(all.Bytes);
    }

    [Test]
    public void Vmlinux_ZstdFigures_MatchTheCommandLine()
    {
        ZstdCli.Require();
        ZstdCliCrossCheckTests.CrossCheck(Load(Real.RealInputs.Vmlinux("amd64")).Table, 19, 64);
    }

    [TestCase("amd64")]
    [TestCase("arm64")]
    [TestCase("i386")]
    [TestCase("armhf")]
    [TestCase("s390x")]
    [TestCase("ppc64el")]
    [TestCase("mips64el")]
    public void EveryModule_EveryStoreExact(string arch)
    {
        var tables = 0;
        foreach (var ko in Directory.EnumerateFiles(Real.RealInputs.Arch(arch).Modules, "*.ko", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var (table, _) = Load(ko);
            if (table.Count == 0)
            {
                continue;
            }

            tables++;
            foreach (var store in NoTiming.Build(table))
            {
                using (store)
                {
                    var check = SiteStoreCheck.Run(store);
                    check.Exact.Should().BeTrue($"{store.Name} on {ko}: first mismatch at record {check.FirstMismatch}");
                }
            }
        }

        tables.Should().BeGreaterThan(500, "every Debian flavour has hundreds of modules with pr_debug call sites (s390x 693)");
    }
}
