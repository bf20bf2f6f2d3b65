using DynDbg.ElfSim.Compression.Zram;

namespace DynDbg.ElfSim.Tests.Compression.Zram;

/// <summary><see cref="ZramDevice"/>: 6.1 <c>__zram_bvec_write</c>, <c>zram_free_page</c> and <c>mm_stat_show</c>.</summary>
[TestFixture]
public class ZramDeviceTests
{
    [Test]
    public void SameFilledPages_CountAsStored_AndTakeNoMemory()
    {
        // page_same_filled: all 512 unsigned longs equal (zero, or any repeated word) → ZRAM_SAME, pages_stored++.
        var pages = new byte[3 * 4096];
        for (var i = 4096; i < 8192; i += 8)
        {
            BitConverter.GetBytes(0xdeadbeef00c0ffeeUL).CopyTo(pages, i);
        }

        Array.Fill(pages, (byte)0x5a, 8192, 4096);
        var zram = new ZramDevice(ZramAlgorithm.LzoRle);
        zram.Write(pages);
        Mm(zram).Should().Be(new ZramStats(ZramAlgorithm.LzoRle, 3 * 4096, 0, 0, 3, 0, 3));
    }

    [Test]
    public void PageSameFilled_LooksAtWholeWords()
    {
        var page = new byte[4096];
        ZramDevice.PageSameFilled(page).Should().BeTrue();
        page[4095] = 1; // the last word differs (checked first in the kernel)
        ZramDevice.PageSameFilled(page).Should().BeFalse();
        page[4095] = 0;
        page[2001] = 1;
        ZramDevice.PageSameFilled(page).Should().BeFalse();
        Array.Fill(page, (byte)0);
        for (var i = 0; i < 4096; i += 8)
        {
            page[i] = 1; // the word 1, repeated: same-filled, though not all bytes are equal
        }

        ZramDevice.PageSameFilled(page).Should().BeTrue();
    }

    [Test]
    public void SameFilled_UsesTheKernelsUnsignedLong()
    {
        // Alternating 4-byte words: one repeated 8-byte unsigned long on x86_64, not on a 32-bit kernel.
        var page = new byte[4096];
        for (var i = 0; i < 4096; i += 8)
        {
            page[i] = 7;
        }

        ZramDevice.PageSameFilled(page, 8).Should().BeTrue();
        ZramDevice.PageSameFilled(page, 4).Should().BeFalse();
        var i386 = new ZramDevice(ZramAlgorithm.Lz4, new ZsPool(new ZsSizeClassTable(12, 32, 32)));
        i386.Write(page);
        (i386.Stats.SamePages, i386.Stats.PagesStored).Should().Be((0L, 1L));
        var amd64 = new ZramDevice(ZramAlgorithm.Lz4);
        amd64.Write(page);
        (amd64.Stats.SamePages, amd64.Stats.MemUsedTotal).Should().Be((1L, 0L));
    }

    [TestCase(ZramAlgorithm.LzoRle)]
    [TestCase(ZramAlgorithm.Lz4)]
    [TestCase(ZramAlgorithm.Lz4Hc)]
    [TestCase(ZramAlgorithm.Zstd)]
    public void IncompressiblePage_IsHuge(ZramAlgorithm algorithm)
    {
        // random bytes compress to more than huge_class_size (3257) → comp_len = PAGE_SIZE, ZRAM_HUGE, class 4096.
        var page = new byte[4096];
        new Random(1).NextBytes(page);
        var zram = new ZramDevice(algorithm);
        zram.Write(page);
        Mm(zram).Should().Be(new ZramStats(algorithm, 4096, 4096, 4096, 0, 1, 1));
        zram.Stats.MmStatLine().Should().Be("    4096     4096     4096        0     4096        0        0        1        1");
    }

    [TestCase(ZramAlgorithm.LzoRle)]
    [TestCase(ZramAlgorithm.Lz4)]
    [TestCase(ZramAlgorithm.Lz4Hc)]
    [TestCase(ZramAlgorithm.Zstd)]
    public void CompressiblePages_GoToTheirClasses(ZramAlgorithm algorithm)
    {
        var data = System.Text.Encoding.ASCII.GetBytes(string.Concat(Enumerable.Range(0, 2000).Select(i => $"dyndbg site {i} drivers/net/foo{i % 13}.c\n")));
        var zram = new ZramDevice(algorithm);
        zram.Write(data);
        var pages = (data.Length + 4095) / 4096;
        var lengths = new List<int>();
        var page = new byte[4096];
        for (var i = 0; i < pages; i++)
        {
            Array.Clear(page);
            data.AsSpan(i * 4096, Math.Min(4096, data.Length - i * 4096)).CopyTo(page);
            lengths.Add(ZramCompressor.CompressedLength(algorithm, page));
        }

        lengths.Should().OnlyContain(n => n < 3257);
        var pool = new ZsPool();
        foreach (var n in lengths)
        {
            pool.Malloc(n);
        }

        Mm(zram).Should().Be(new ZramStats(algorithm, pages * 4096L, lengths.Sum(), pool.TotalPages * 4096, 0, 0, pages));
    }

    [Test]
    public void Overwrite_FreesTheOldObject_AfterAllocatingTheNew()
    {
        var rnd = new byte[4096];
        new Random(3).NextBytes(rnd);
        var zram = new ZramDevice(ZramAlgorithm.Lz4);
        zram.Write(rnd);
        zram.Write(rnd);   // zs_malloc of the new copy, then zram_free_page of the old: the max saw 2 pages
        Mm(zram).Should().Be(new ZramStats(ZramAlgorithm.Lz4, 4096, 4096, 4096, 0, 1, 1));
        zram.Stats.MemUsedMax.Should().Be(8192);
        zram.Write(new byte[4096]); // now same-filled: the huge object goes away
        Mm(zram).Should().Be(new ZramStats(ZramAlgorithm.Lz4, 4096, 0, 0, 1, 0, 1));
    }

    // The seven positional fields only (mem_used_max and huge_pages_since are checked where they matter).
    private static ZramStats Mm(ZramDevice zram) => zram.Stats with { MemUsedMax = 0, HugePagesSince = 0 };

    [Test]
    public void LastPage_IsZeroPadded()
    {
        // 10 bytes of 0x01 then zeros: not same-filled; the device holds one page.
        var zram = new ZramDevice(ZramAlgorithm.LzoRle);
        zram.Write(Enumerable.Repeat((byte)1, 10).ToArray());
        var page = new byte[4096];
        Array.Fill(page, (byte)1, 0, 10);
        zram.Stats.PagesStored.Should().Be(1);
        zram.Stats.ComprDataSize.Should().Be(ZramCompressor.CompressedLength(ZramAlgorithm.LzoRle, page));
    }
}
