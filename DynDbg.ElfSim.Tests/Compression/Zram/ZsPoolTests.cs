using DynDbg.ElfSim.Compression.Zram;

namespace DynDbg.ElfSim.Tests.Compression.Zram;

/// <summary><see cref="ZsPool"/> (6.1 zs_malloc / zs_free / zs_stats_size_show) and <see cref="ZsPoolModel"/>.</summary>
[TestFixture]
public class ZsPoolTests
{
    [TestCase(64, 1000)]
    [TestCase(100, 77)]
    [TestCase(3256, 11)]
    [TestCase(4000, 5)]
    [TestCase(1, 1)]
    public void Model_EqualsThePoolRunObjectByObject(int size, int count)
    {
        var pool = new ZsPool();
        for (var i = 0; i < count; i++)
        {
            pool.Malloc(size);
        }

        var r = ZsPoolModel.Allocate(size, count);
        r.Pages.Should().Be(pool.TotalPages);
        r.Zspages.Should().Be(pool.Zspages);
        r.Bytes.Should().Be(pool.TotalPages * 4096);
        r.HandleBytes.Should().Be(count * 8L);
    }

    [Test]
    public void Records_1000Of64Bytes()
    {
        // class 80: 51 objects per 1-page zspage; ceil(1000 / 51) = 20 zspages = 20 pages. Handles: 1000 × 8 bytes,
        // in ceil(1000 / 512) = 2 slab pages.
        var r = ZsPoolModel.Allocate(64, 1000);
        r.Should().BeEquivalentTo(new { ClassSize = 80, ObjectsPerZspage = 51, PagesPerZspage = 1, Pages = 20L, Bytes = 81920L, HandleBytes = 8000L, HandleSlabBytes = 8192L, Huge = false });
    }

    [Test]
    public void Records_InAThreePageClass()
    {
        // 88 + 8 = 96 → class 96 (index 4): 3 pages, 128 objects; 300 objects → 3 zspages → 9 pages.
        var r = ZsPoolModel.Allocate(88, 300);
        (r.ClassSize, r.PagesPerZspage, r.ObjectsPerZspage, r.Zspages, r.Pages).Should().Be((96, 3, 128, 3L, 9L));
    }

    [Test]
    public void Fullness_ListsAndDebugfsLine()
    {
        // class 80, 51 objects: ALMOST_EMPTY while inuse <= 3 * 51 / 4 = 38, ALMOST_FULL above, FULL at 51.
        var pool = new ZsPool();
        var handles = Enumerable.Range(0, 38).Select(_ => pool.Malloc(64)).ToList();
        Stats(pool, 80).Should().Be(new ZsClassStats(3, 80, 0, 1, 51, 38, 1, 1, 0));
        handles.Add(pool.Malloc(64));
        Stats(pool, 80).AlmostFull.Should().Be(1);
        for (var i = 39; i < 52; i++)
        {
            handles.Add(pool.Malloc(64));
        }

        // one full zspage, and a second one with one object: 102 allocated, 52 used, freeable (102-52)/51 = 0
        Stats(pool, 80).Should().Be(new ZsClassStats(3, 80, 0, 1, 102, 52, 2, 1, 0));
        Stats(pool, 80).ToString().Should().Be("     3    80           0            1           102         52          2                1        0");
        pool.TotalPages.Should().Be(2);
    }

    [Test]
    public void Free_ReleasesAnEmptiedZspage_AndReusesPartlyFilledOnes()
    {
        var pool = new ZsPool();
        var first = Enumerable.Range(0, 51).Select(_ => pool.Malloc(64)).ToArray(); // zspage A full
        var second = pool.Malloc(64);                                                 // zspage B
        pool.TotalPages.Should().Be(2);
        pool.Free(first[0]);                 // A: 50 in use → ALMOST_FULL; B (1) is ALMOST_EMPTY
        pool.Malloc(64);                     // find_get_zspage prefers ALMOST_FULL: A again, B unchanged
        pool.TotalPages.Should().Be(2);
        pool.Free(second);                   // B empties → free_zspage
        pool.TotalPages.Should().Be(1);
        pool.Zspages.Should().Be(1);
        pool.Handles.Should().Be(51);
        Stats(pool, 80).ObjAllocated.Should().Be(51);
        var act = () => pool.Free(second);
        act.Should().Throw<ArgumentException>();
    }

    [Test]
    public void Freeable_IsZsCanCompact()
    {
        // 3-page class 96 (128 objects): 3 zspages full, free 200 objects spread so no zspage empties.
        var pool = new ZsPool();
        var h = Enumerable.Range(0, 384).Select(_ => pool.Malloc(88)).ToArray();
        for (var i = 0; i < 384; i++)
        {
            if (i % 128 != 0 && i % 2 == 0)
            {
                pool.Free(h[i]);
            }
        }

        // each zspage loses 63 (even, not its first): 65 kept, used 195 of 384 → (384 - 195) / 128 = 1 zspage → 3 pages
        var s = Stats(pool, 96);
        (s.ObjAllocated, s.ObjUsed, s.PagesUsed, s.Freeable).Should().Be((384L, 195L, 9L, 3L));
    }

    private static ZsClassStats Stats(ZsPool pool, int size) => pool.ClassStats().Single(s => s.Size == size);
}
