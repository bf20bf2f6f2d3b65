using DynDbg.ElfSim.Compression;

namespace DynDbg.ElfSim.Tests.Compression;

/// <summary>
/// The system's libzstd and ZstdSharp.Port read each other's frames, with and without a dictionary (trained by
/// either side, or raw content), at several levels; and the rule that picks one (auto falls back to the managed
/// port instead of skipping the zstd stores, CMP001).
/// </summary>
[TestFixture]
public class ZstdInteropTests
{
    private static readonly int[] Levels = [1, 3, 9, 19, 22];

    private static IEnumerable<TestCaseData> Directions() =>
        from level in Levels
        from way in new[] { ("system", "managed"), ("managed", "system") }
        select new TestCaseData(way.Item1, way.Item2, level).SetName($"Frames_{way.Item1}_To_{way.Item2}_Level{level}");

    /// <summary>Kernel-like sites, hostile random ones, and a run long enough for several zstd blocks (128 KiB each).</summary>
    private static IEnumerable<byte[]> Inputs()
    {
        yield return SyntheticSites.KernelLike(2000).ToBytes();
        yield return SyntheticSites.Random64(300, seed: 3).ToBytes();
        yield return SyntheticSites.KernelLike(12000, seed: 9).ToBytes();
        yield return [];
        yield return [42];
    }

    [TestCaseSource(nameof(Directions))]
    public void Frames_DecodeOnTheOtherImplementation(string from, string to, int level)
    {
        var (writer, reader) = (ZstdImplementations.Get(from), ZstdImplementations.Get(to));
        using var c = new ZstdCompressor(level, zstd: writer);
        using var d = new ZstdDecompressor(zstd: reader);
        foreach (var data in Inputs())
        {
            var frame = c.Compress(data);
            var back = new byte[data.Length];
            d.Decompress(frame, back).Should().Be(data.Length);
            back.Should().Equal(data);
        }
    }

    [TestCaseSource(nameof(Directions))]
    public void DictionaryFrames_DecodeOnTheOtherImplementation(string from, string to, int level)
    {
        var (writer, reader) = (ZstdImplementations.Get(from), ZstdImplementations.Get(to));
        var table = SyntheticSites.KernelLike(3000, seed: 5);
        var bytes = table.ToBytes();
        var sizes = Enumerable.Repeat(table.SiteSize, table.Count).ToArray();
        using var trained = ZstdDictionary.Train(bytes, sizes, 1024, out var error, writer);
        trained.Should().NotBeNull(error);
        using var content = ZstdDictionary.FromContent(bytes.AsSpan(0, 4096).ToArray(), writer);
        foreach (var dict in new[] { trained!, content })
        {
            using var readerDict = dict.For(reader);
            using var c = new ZstdCompressor(level, dict);
            using var d = new ZstdDecompressor(readerDict);
            var site = new byte[table.SiteSize];
            for (var i = 0; i < table.Count; i += 7)
            {
                var record = bytes.AsSpan(i * table.SiteSize, table.SiteSize);
                var frame = c.Compress(record);
                d.DecompressWithoutMagic(frame.AsSpan(4), site).Should().Be(site.Length);
                site.Should().Equal(record.ToArray(), $"record {i}, {(dict.IsTrained ? "trained" : "raw-content")} dictionary");
            }
        }
    }

    [Test]
    public void ADictionary_StaysWithItsImplementation()
    {
        using var dict = ZstdDictionary.FromContent([1, 2, 3, 4, 5, 6, 7, 8], ZstdImplementations.Managed);
        var act = () => new ZstdCompressor(3, dict, ZstdImplementations.System);
        act.Should().Throw<ArgumentException>().WithMessage("the dictionary belongs to ZstdSharp.Port *, not libzstd *");
    }

    [Test]
    public void Auto_WithoutLibzstd_IsTheManagedPort_NotASkip()
    {
        // What ZstdLibrary reports when libzstd.so.1 is missing (the AOT binary on a machine without libzstd1).
        const string missing = "libzstd not found (tried libzstd.so.1, libzstd.so); install the 'libzstd1' package, or set DYNDBG_ELFSIM_LIBZSTD";
        var zstd = ZstdSelection.Choose(ZstdChoice.Auto, missing, out var problem);
        problem.Should().BeNull();
        zstd.Should().BeSameAs(ZstdSelection.Managed);
        zstd!.Kind.Should().Be(ZstdChoice.Managed);

        var options = new SiteStoreOptions(ZstdLevel: 3) { ZstdImplementation = zstd };
        var result = CompressionStudy.Run(SyntheticSites.KernelLike(500), options);
        result.Stores.Select(s => s.Name).Should().Equal(SiteStoreOptions.StoreNames);
        result.Stores.Where(s => SiteStoreOptions.IsZstd(s.Name)).Should().HaveCount(3).And.OnlyContain(s => s.Exact);
    }

    [Test]
    public void System_WithoutLibzstd_IsCmp001sProblem_NamingTheWayOut()
    {
        ZstdSelection.Choose(ZstdChoice.System, "libzstd not found (tried x)", out var problem).Should().BeNull();
        problem.Should().Be("libzstd not found (tried x); --zstd managed (or auto) uses ZstdSharp.Port instead");
    }

    [Test]
    public void Managed_IsChosenEvenWhereLibzstdLoads() =>
        ZstdSelection.Choose(ZstdChoice.Managed, null, out _).Should().BeSameAs(ZstdSelection.Managed);

    [Test]
    public void Auto_WithLibzstd_IsTheSystemLibrary()
    {
        var system = ZstdImplementations.System;
        ZstdSelection.Choose(ZstdChoice.Auto, null, out _).Should().BeSameAs(system);
        ZstdSelection.Default.Should().BeSameAs(system, "the kernel runs C zstd, so the C library is the default where it loads");
    }
}
