using DynDbg.ElfSim.Compression;
using DynDbg.ElfSim.DynDbg;
using DynDbg.ElfSim.Elf;

namespace DynDbg.ElfSim.Tests.Compression;

/// <summary>
/// The study on Debian's real kernels: every store exact on the amd64 vmlinux and on every module of every
/// release architecture, rle equal to the author's formula as the load summary counts runs, the zstd figures
/// equal to the zstd command line's, and this tool's own store the smallest; the zstd stores again on ZstdSharp.Port
/// (the fallback when libzstd is missing), which reads the C library's frames and writes frames it reads.
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

    [Test]
    public void Vmlinux_ManagedPort_ExactStores_TheSameDictionary_FramesReadBothWays()
    {
        var (system, managed) = (ZstdImplementations.System, ZstdImplementations.Managed);
        var table = Load(Real.RealInputs.Vmlinux("amd64")).Table;
        var result = CompressionStudy.Run(table, NoTiming with { ZstdImplementation = managed });
        result.Stores.Select(s => s.Name).Should().Equal(SiteStoreOptions.StoreNames);
        result.Stores.Should().OnlyContain(s => s.Exact);

        // zdict's trainer did not change from 1.5.4 to 1.5.7: the same samples give the same dictionary.
        using var onSystem = new ZstdDictSiteStore(table, 19, zstd: system);
        using var onManaged = new ZstdDictSiteStore(table, 19, zstd: managed);
        onManaged.Dictionary!.Bytes.Should().Equal(onSystem.Dictionary!.Bytes);

        var bytes = table.ToBytes();
        foreach (var level in new[] { 1, 3, 9, 19 })
        {
            using var cs = new ZstdCompressor(level, zstd: system);
            using var cm = new ZstdCompressor(level, zstd: managed);
            var (fs, fm) = (cs.Compress(bytes), cm.Compress(bytes));
            if (level <= 9)
            {
                // Measured (docs/compression.md): the fast strategies give the same bytes on this input; 1.5.5-1.5.7
                // changed the optimal parsers (levels 16+ here) only.
                fm.Should().Equal(fs, $"level {level}");
            }

            using var ds = new ZstdDecompressor(zstd: system);
            using var dm = new ZstdDecompressor(zstd: managed);
            var back = new byte[bytes.Length];
            dm.Decompress(fs, back).Should().Be(bytes.Length);
            back.Should().Equal(bytes, $"libzstd's level-{level} frame read by ZstdSharp");
            Array.Clear(back);
            ds.Decompress(fm, back).Should().Be(bytes.Length);
            back.Should().Equal(bytes, $"ZstdSharp's level-{level} frame read by libzstd");
        }
    }

    [Test]
    public void Amd64Modules_ZstdStoresExact_OnTheManagedPort()
    {
        var options = NoTiming with { ZstdImplementation = ZstdImplementations.Managed };
        var tables = 0;
        foreach (var ko in Directory.EnumerateFiles(Real.RealInputs.Arch("amd64").Modules, "*.ko", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var (table, _) = Load(ko);
            if (table.Count == 0)
            {
                continue;
            }

            tables++;
            foreach (var store in options.Build(table))
            {
                using (store)
                {
                    if (SiteStoreOptions.IsZstd(store.Name))
                    {
                        var check = SiteStoreCheck.Run(store);
                        check.Exact.Should().BeTrue($"{store.Name} (ZstdSharp) on {ko}: first mismatch at record {check.FirstMismatch}");
                    }
                }
            }
        }

        tables.Should().BeGreaterThan(1000);
    }
}
