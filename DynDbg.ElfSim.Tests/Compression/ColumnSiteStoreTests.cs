using DynDbg.ElfSim.Compression;
using DynDbg.ElfSim.DynDbg;

namespace DynDbg.ElfSim.Tests.Compression;

/// <summary>
/// <c>cols</c>: nested runs, Exp-Golomb deltas and checkpoints; exact for every stride, with forced boundaries,
/// and smaller than the other stores on kernel-like tables.
/// </summary>
[TestFixture]
public class ColumnSiteStoreTests
{
    [TestCase(1)]
    [TestCase(2)]
    [TestCase(7)]
    [TestCase(16)]
    [TestCase(1000)]
    public void AnyStride_IsExact(int stride)
    {
        var table = SyntheticSites.KernelLike(900, seed: stride);
        using var cols = new ColumnSiteStore(table, stride);
        SiteStoreCheck.Run(cols).Exact.Should().BeTrue();
    }

    [Test]
    public void LongerStride_FewerBytes()
    {
        var table = SyntheticSites.KernelLike(3000);
        var sizes = new[] { 1, 4, 16, 64 }.Select(k =>
        {
            using var c = new ColumnSiteStore(table, k);
            return c.Size.Total;
        }).ToArray();
        sizes.Should().BeInDescendingOrder();
    }

    [Test]
    public void ModnameChangeWithoutFilenameChange_ForcesABoundary()
    {
        // The one case of this in Debian's vmlinux: one file name string, two modules.
        Site[] sites = [new(1, 10, 100), new(1, 10, 100), new(2, 10, 100), new(2, 10, 101), new(3, 11, 101)];
        var table = SiteTable.Create("t", 8, false, ImageKind.BuiltIn, sites);
        using var cols = new ColumnSiteStore(table, 2);
        cols.Runs.Should().Be((4, 3, 3));
        SiteStoreCheck.Run(cols).Exact.Should().BeTrue();
    }

    [Test]
    public void KernelLikeTable_IsSmallerThanRleAndV6()
    {
        var table = SyntheticSites.KernelLike(2000);
        using var cols = new ColumnSiteStore(table);
        using var rle = new RleSiteStore(table);
        using var v6 = new V6PackSiteStore(table);
        cols.Size.Total.Should().BeLessThan(rle.Size.Total / 3);
        cols.Size.Total.Should().BeLessThan(v6.Size.Total / 3);
        cols.Size.Index.Should().BeGreaterThan(0, "checkpoint offsets are the index");
    }

    [Test]
    public void GetOutsideTheTable_Throws()
    {
        using var cols = new ColumnSiteStore(SyntheticSites.KernelLike(10));
        cols.Invoking(c => c.Get(10)).Should().Throw<ArgumentOutOfRangeException>();
        cols.Invoking(c => c.Get(-1)).Should().Throw<ArgumentOutOfRangeException>();
    }

    [TestCase(0UL, 0)]
    [TestCase(1UL, 0)]
    [TestCase(12345UL, 3)]
    [TestCase(ulong.MaxValue, 0)]
    [TestCase(ulong.MaxValue, 40)]
    [TestCase(0x8000000000000000UL, 63)]
    public void ExpGolomb_RoundTrips_AndHasItsLength(ulong value, int k)
    {
        var w = new BitWriter();
        w.Write(5, 3);
        w.WriteExpGolomb(value, k);
        w.WriteExpGolomb(value, k);
        w.Length.Should().Be(3 + (2 * BitWriter.ExpGolombLength(value, k)));
        var r = new BitReader(w.ToArray(), 0);
        r.Read(3).Should().Be(5);
        r.ReadExpGolomb(k).Should().Be(value);
        r.ReadExpGolomb(k).Should().Be(value);
        r.Position.Should().Be(w.Length);
    }

    [Test]
    public void BitFields_RoundTrip_AcrossWordBoundaries_AndRankCounts()
    {
        var random = new Random(9);
        var fields = Enumerable.Range(0, 500).Select(_ => (Width: random.Next(0, 65), Value: (ulong)random.NextInt64() * 3)).ToArray();
        var w = new BitWriter();
        foreach (var (width, value) in fields)
        {
            w.Write(value, width);
        }

        var bytes = w.ToArray();
        var r = new BitReader(bytes, 0);
        long ones = 0;
        foreach (var (width, value) in fields)
        {
            var expected = width == 64 ? value : value & ((1UL << width) - 1);
            r.Read(width).Should().Be(expected);
            ones += System.Numerics.BitOperations.PopCount(expected);
        }

        new BitReader(bytes, 0).Rank(0, w.Length).Should().Be((int)ones);
        new BitReader(bytes, 0).Rank(3, 0).Should().Be(0);
    }
}
