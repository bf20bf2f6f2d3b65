using DynDbg.ElfSim.Compression;
using DynDbg.ElfSim.DynDbg;

namespace DynDbg.ElfSim.Tests.Compression;

/// <summary><c>rle</c> is the patch author's estimate exactly: runs of equal pointers × (pointer size + 2).</summary>
[TestFixture]
public class RleSiteStoreTests
{
    [TestCase(8)]
    [TestCase(4)]
    public void Bytes_AreRunsTimesPointerPlusTwo(int pointerSize)
    {
        var table = SyntheticSites.KernelLike(1500, pointerSize, seed: 11);
        using var rle = new RleSiteStore(table);
        var sites = table.Sites.ToArray();
        int Runs(Func<Site, ulong> col) => sites.Where((s, i) => i == 0 || col(s) != col(sites[i - 1])).Count();
        var runs = new[] { Runs(s => s.Modname), Runs(s => s.Filename), Runs(s => s.Function) };
        rle.RunCounts.Should().Equal(runs);
        rle.Size.Total.Should().Be(runs.Sum() * (pointerSize + 2L));
        rle.RandomAccess.Should().BeFalse("a Get walks the runs: the estimate keeps no index");
    }

    [Test]
    public void AllEqual_IsThreeRuns()
    {
        var table = SiteTable.Create("same", 8, false, ImageKind.Module, Enumerable.Repeat(new Site(7, 8, 9), 1000).ToArray());
        using var rle = new RleSiteStore(table);
        rle.Size.Total.Should().Be(3 * 10);
    }

    [Test]
    public void RunLongerThanTheTwoByteCount_IsSplit_AndStaysExact()
    {
        var sites = Enumerable.Repeat(new Site(7, 8, 9), 70_000).Append(new Site(7, 8, 10)).ToArray();
        var table = SiteTable.Create("long", 8, false, ImageKind.Module, sites);
        using var rle = new RleSiteStore(table);
        rle.RunCounts.Should().Equal(2, 2, 3);
        rle.Get(65_534).Should().Be(sites[0]);
        rle.Get(65_535).Should().Be(sites[0]);
        rle.Get(70_000).Should().Be(sites[^1]);
        SiteStoreCheck.Run(rle).Exact.Should().BeTrue();
    }
}
