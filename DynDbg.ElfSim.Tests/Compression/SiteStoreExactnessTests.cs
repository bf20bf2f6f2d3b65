using DynDbg.ElfSim.Compression;
using DynDbg.ElfSim.DynDbg;
using DynDbg.ElfSim.Elf;

namespace DynDbg.ElfSim.Tests.Compression;

/// <summary>
/// Every store gives back exactly the raw site for every index, through Get and through the stream walk: on the
/// samples of all eight architectures and on synthetic tables built to be hard (random values, extremes, one
/// record, runs longer than a block); the zstd stores once on the system's libzstd and once on ZstdSharp.Port.
/// </summary>
[TestFixture]
public class SiteStoreExactnessTests
{
    private static readonly SiteStoreOptions Options = new(ZstdLevel: 3, BlockRecords: 4, Stride: 3);

    private static IEnumerable<TestCaseData> Samples() =>
        from arch in TestPaths.Arches
        from file in new[] { "alpha.ko", "beta.ko", "gamma.ko", "delta.ko" }
        from zstd in ZstdImplementations.Names
        select new TestCaseData(arch, file, zstd).SetName($"Exact_{arch}_{file}_{zstd}");

    private static IEnumerable<TestCaseData> Synthetic()
    {
        var tables = new (string Name, Func<SiteTable> Make)[]
        {
            ("KernelLike_2000", () => SyntheticSites.KernelLike(2000)),
            ("KernelLike_32be", () => SyntheticSites.KernelLike(700, pointerSize: 4, seed: 7, bigEndian: true)),
            ("Random64", () => SyntheticSites.Random64(300, seed: 3)),
            ("Random64_Runs", () => SyntheticSites.Random64(300, seed: 4, runs: true)),
            ("Random32", () => SyntheticSites.Random64(200, seed: 5, pointerSize: 4)),
            ("Extremes", SyntheticSites.Extremes),
            ("OneRecord", () => SiteTable.Create("one", 8, false, ImageKind.Module, [new Site(1, 2, 3)])),
        };
        return from t in tables
               from zstd in ZstdImplementations.Names
               select new TestCaseData(t.Make(), zstd).SetName($"Exact_{t.Name}_{zstd}");
    }

    [TestCaseSource(nameof(Samples))]
    public void EveryStore_IsExact_OnTheSamples(string arch, string file, string zstd)
    {
        using var f = ElfFile.Open(TestPaths.Sample(arch, file));
        AllExact(SiteTable.From(f, MainlineImage.Load(f)), zstd);
    }

    [TestCaseSource(nameof(Synthetic))]
    public void EveryStore_IsExact_OnSyntheticTables(SiteTable table, string zstd) => AllExact(table, zstd);

    [Test]
    public void EmptyTable_EveryStoreHoldsNothingAndStreamsNothing()
    {
        var table = SiteTable.Create("empty", 8, false, ImageKind.Module, []);
        foreach (var store in Options.Build(table))
        {
            using (store)
            {
                var visits = 0;
                store.Stream((_, _) => visits++);
                visits.Should().Be(0, store.Name);
                store.Size.Total.Should().Be(0, store.Name);
            }
        }
    }

    [Test]
    public void Check_FindsAWrongValue_AndAWrongWalk()
    {
        var table = SyntheticSites.KernelLike(50);
        using var broken = new BrokenStore(table, wrongAt: 17);
        var check = SiteStoreCheck.Run(broken);
        check.Exact.Should().BeFalse();
        check.Mismatches.Should().Be(1);
        check.FirstMismatch.Should().Be(17);
    }

    private static void AllExact(SiteTable table, string zstd)
    {
        var stores = (Options with { ZstdImplementation = ZstdImplementations.Get(zstd) }).Build(table);
        stores.Select(s => s.Name).Should().Equal(SiteStoreOptions.StoreNames, "no store is skipped");
        foreach (var store in stores)
        {
            using (store)
            {
                var check = SiteStoreCheck.Run(store);
                var expectExact = store.Name != "v6-pack" || V6Exact(table);
                check.Exact.Should().Be(expectExact, $"{store.Name} on {table.File}: first mismatch at {check.FirstMismatch}");
            }
        }
    }

    /// <summary>v6 packing is exact when a function pointer never changes file or module inside its run.</summary>
    private static bool V6Exact(SiteTable t)
    {
        for (var i = 1; i < t.Count; i++)
        {
            if (t[i].Function == t[i - 1].Function && t[i] != t[i - 1])
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>A raw store that lies once, in Get and in the walk, to show the check sees it.</summary>
    private sealed class BrokenStore(SiteTable table, int wrongAt) : SiteStore(table)
    {
        public override string Name => "broken";
        public override SiteStoreSize Size => new(0, 0, 0);
        public override bool RandomAccess => true;
        public override string Detail => "";

        public override Site Get(int index) => index == wrongAt ? Table[index] with { Filename = 1 } : Table[index];
    }
}
