using DynDbg.ElfSim.Compression.Zram;

namespace DynDbg.ElfSim.Tests.Compression.Zram;

/// <summary>zbud (6.1 <c>mm/zbud.c</c> zbud_alloc) and z3fold (<c>mm/z3fold.c</c> z3fold_alloc) for equal objects.</summary>
[TestFixture]
public class ZbudZ3foldTests
{
    // zbud: CHUNK_SIZE 64, NCHUNKS 63. size_to_chunks; two buddies when NCHUNKS - chunks >= chunks.
    [TestCase(64, 1000, 64, 2, 500)]     // 1 chunk: FIRST then LAST on unbuddied[62]
    [TestCase(1984, 9, 1984, 2, 5)]      // 31 chunks: 63 - 31 = 32 ≥ 31
    [TestCase(1985, 9, 2048, 1, 9)]      // 32 chunks: 31 < 32, the page stays alone
    [TestCase(3968, 3, 3968, 1, 3)]      // the largest: PAGE_SIZE - ZHDR_SIZE_ALIGNED - CHUNK_SIZE
    public void Zbud(int size, long count, int classSize, int perPage, long pages)
    {
        var r = ZsPoolModel.Allocate(size, count, ZpoolKind.Zbud);
        (r.ClassSize, r.ObjectsPerZspage, r.PagesPerZspage, r.Pages, r.Bytes, r.HandleBytes).Should().Be((classSize, perPage, 1, pages, pages * 4096, 0L));
    }

    [Test]
    public void Zbud_RefusesMoreThanPageMinusTwoChunks()
    {
        var act = () => ZsPoolModel.Allocate(3969, 1, ZpoolKind.Zbud);
        act.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*ENOSPC*");
    }

    // z3fold: 128-byte header (2 chunks), NCHUNKS 62: FIRST, LAST if 62 - c ≥ c, MIDDLE if 62 - 2c ≥ c.
    [TestCase(64, 999, 3, 333)]     // 1 chunk: three a page
    [TestCase(1280, 10, 3, 4)]      // 20 chunks: 62 - 40 = 22 ≥ 20
    [TestCase(1281, 10, 2, 5)]      // 21 chunks: 62 - 42 = 20 < 21
    [TestCase(1984, 10, 2, 5)]      // 31 chunks: 62 - 31 = 31 ≥ 31
    [TestCase(1985, 10, 1, 10)]     // 32 chunks
    [TestCase(3904, 2, 1, 2)]       // 61 chunks, still with a header
    public void Z3fold(int size, long count, int perPage, long pages)
    {
        var r = ZsPoolModel.Allocate(size, count, ZpoolKind.Z3fold);
        (r.ObjectsPerZspage, r.Pages).Should().Be((perPage, pages));
        r.HandleBytes.Should().Be(pages * 64, "one 64-byte z3fold_buddy_slots per page with a header");
        r.Huge.Should().BeFalse();
    }

    [Test]
    public void Z3fold_HeadlessAboveHeaderPlusAChunk()
    {
        // size > PAGE_SIZE - ZHDR_SIZE_ALIGNED - CHUNK_SIZE = 3904: HEADLESS, a page each, no slots.
        var r = ZsPoolModel.Allocate(3905, 7, ZpoolKind.Z3fold);
        (r.Pages, r.HandleBytes, r.Huge).Should().Be((7L, 0L, true));
    }
}
