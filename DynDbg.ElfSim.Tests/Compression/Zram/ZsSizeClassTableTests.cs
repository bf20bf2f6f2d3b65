using DynDbg.ElfSim.Compression.Zram;

namespace DynDbg.ElfSim.Tests.Compression.Zram;

/// <summary>
/// The size classes of 6.1 <c>mm/zsmalloc.c</c> on x86_64 (MAX_POSSIBLE_PHYSMEM_BITS 52, 4 KiB pages). The expected
/// values are worked out by hand in the comments from <c>get_size_class_index</c>, <c>get_pages_per_zspage</c>,
/// <c>can_merge</c> and <c>zs_create_pool</c>'s huge_class_size rule.
/// </summary>
[TestFixture]
public class ZsSizeClassTableTests
{
    private static ZsSizeClassTable Amd64 => ZsSizeClassTable.Amd64;

    [Test]
    public void Constants_AreThoseOfTheMacros()
    {
        // _PFN_BITS = 52 - 12 = 40, OBJ_INDEX_BITS = 64 - 40 - 1 = 23, (4 << 12) >> 23 = 0 → ZS_MIN_ALLOC_SIZE = 32;
        // ZS_SIZE_CLASS_DELTA = 4096 >> 8 = 16; ZS_SIZE_CLASSES = DIV_ROUND_UP(4096 - 32, 16) + 1 = 255.
        Amd64.ObjIndexBits.Should().Be(23);
        Amd64.MinAllocSize.Should().Be(32);
        Amd64.Delta.Should().Be(16);
        Amd64.ClassCount.Should().Be(255);
        Amd64.HandleSize.Should().Be(8);
    }

    [Test]
    public void I386Pae_RaisesTheMinimumAllocation()
    {
        // MAX_POSSIBLE_PHYSMEM_BITS 36: _PFN_BITS 24, OBJ_INDEX_BITS = 32 - 24 - 1 = 7, (4 << 12) >> 7 = 128.
        var pae = new ZsSizeClassTable(12, 32, 36);
        pae.MinAllocSize.Should().Be(128);
        pae.HandleSize.Should().Be(4);
        pae.ClassCount.Should().Be((4096 - 128 + 15) / 16 + 1);
    }

    [TestCase(1, 0)]
    [TestCase(32, 0)]    // size <= ZS_MIN_ALLOC_SIZE → 0
    [TestCase(33, 1)]    // DIV_ROUND_UP(1, 16)
    [TestCase(48, 1)]
    [TestCase(49, 2)]
    [TestCase(72, 3)]    // DIV_ROUND_UP(40, 16)
    [TestCase(4096, 254)]
    [TestCase(9999, 254)] // min_t(ZS_SIZE_CLASSES - 1, idx)
    public void IndexFor_IsGetSizeClassIndex(int size, int index) => Amd64.IndexFor(size).Should().Be(index);

    [TestCase(80, 1)]    // 4096 % 80 = 16 → 99%; 2, 3, 4 pages also 99%: not greater, the first wins
    [TestCase(96, 3)]    // 1 page 98%, 2 pages 99%, 3 pages 12288 % 96 = 0 → 100%
    [TestCase(176, 4)]   // 98, 98, 98, then 16384 % 176 = 16 → 99%
    [TestCase(2048, 1)]  // 100% at once
    [TestCase(3264, 4)]  // 79, 79, 79, then 16384 % 3264 = 64 → 99%
    [TestCase(3280, 1)]  // 80% at every length: huge
    [TestCase(4096, 1)]
    public void PagesPerZspage_IsGetPagesPerZspage(int classSize, int pages) =>
        ZsSizeClassTable.PagesPerZspageFor(classSize).Should().Be(pages);

    [Test]
    public void ARecordPlusZhandle_LandsInClass80()
    {
        // 56-byte 6.1 _ddebug + 8-byte zhandle = 64; zs_malloc adds ZS_HANDLE_SIZE: 72 → index 3, size 32 + 3·16 = 80,
        // 1 page, 4096 / 80 = 51 objects. Class 96 (index 4) has 3 pages / 128 objects: no merge.
        var c = Amd64.ClassForMalloc(64);
        c.Should().Be(new ZsSizeClass(3, 80, 1, 51));
        c.Huge.Should().BeFalse();
    }

    [Test]
    public void HugeClassSize_Is3264MinusSeven()
    {
        // From the top: 4096 .. 3280 are one object on one page (80% at every length); 3264 is 4 pages / 5 objects:
        // huge_class_size = 3264 - (ZS_HANDLE_SIZE - 1) = 3257.
        Amd64.HugeClassSize.Should().Be(3257);
        Amd64.ClassForMalloc(3256).Should().Be(new ZsSizeClass(202, 3264, 4, 5)); // 3264 → index 202
        Amd64.ClassForMalloc(3257).Should().Be(new ZsSizeClass(254, 4096, 1, 1)); // 3265 → index 203 → merged into 254
        Amd64.ClassForMalloc(3257).Huge.Should().BeTrue();
    }

    [Test]
    public void Merging_FollowsCanMerge()
    {
        // Every huge index 203..254 points at the one class built at 254 (equal 1 page / 1 object).
        for (var i = 203; i <= 254; i++)
        {
            Amd64.ClassAt(i).Index.Should().Be(254);
        }

        // A merged class is the larger one (built first, iterating downwards); an index points at its own class or
        // at one with the same pages and objects per zspage as its own size would give.
        for (var i = 0; i < Amd64.ClassCount; i++)
        {
            var to = Amd64.ClassAt(i);
            to.Index.Should().BeGreaterThanOrEqualTo(i);
            var own = Math.Min(Amd64.MinAllocSize + i * Amd64.Delta, 4096);
            var pages = ZsSizeClassTable.PagesPerZspageFor(own);
            (pages, pages * 4096 / own).Should().Be((to.PagesPerZspage, to.ObjectsPerZspage));
            if (i > 0 && Amd64.ClassAt(i - 1).Index != to.Index)
            {
                Amd64.ClassAt(i - 1).Index.Should().Be(i - 1, "a class is made of consecutive indices");
            }
        }

        // 80 (index 3) and 96 (index 4) differ; 3264 (index 202) stays apart from the huge class.
        Amd64.ClassAt(3).Index.Should().Be(3);
        Amd64.ClassAt(202).Index.Should().Be(202);
        Amd64.Classes.Count.Should().BeLessThan(255);
        Amd64.Classes.Select(c => c.Index).Should().BeInAscendingOrder().And.OnlyHaveUniqueItems();
    }

    [Test]
    public void ZsMalloc_RefusesZeroAndMoreThanAPage()
    {
        var act0 = () => Amd64.ClassForMalloc(0);
        var act1 = () => Amd64.ClassForMalloc(4097);
        act0.Should().Throw<ArgumentOutOfRangeException>();
        act1.Should().Throw<ArgumentOutOfRangeException>();
        Amd64.ClassForMalloc(4096).Size.Should().Be(4096);
    }
}
