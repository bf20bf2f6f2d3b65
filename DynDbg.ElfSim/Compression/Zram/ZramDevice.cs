namespace DynDbg.ElfSim.Compression.Zram;

/// <summary>
/// A fresh <c>/dev/zram0</c> of 6.1 (<c>drivers/block/zram/zram_drv.c</c>) with the given compressor and a
/// disksize large enough, written page by page as <c>__zram_bvec_write</c> does:
/// <list type="number">
/// <item><c>page_same_filled</c>: all PAGE_SIZE / sizeof(unsigned long) words equal → ZRAM_SAME, <c>same_pages++</c>,
///   nothing allocated;</item>
/// <item>else compress (<see cref="ZramCompressor"/>); <c>comp_len &gt;= huge_class_size</c>
///   (<see cref="ZsSizeClassTable.HugeClassSize"/>) → store PAGE_SIZE bytes, <c>huge_pages++</c>;</item>
/// <item><c>zs_malloc(comp_len)</c> into a <see cref="ZsPool"/>, <c>compr_data_size += comp_len</c>;</item>
/// <item><c>zram_free_page</c> of what the slot held before (after the new allocation, as the kernel orders it),
///   then <c>pages_stored++</c>.</item>
/// </list>
/// Whole pages only; the unsigned long of <c>page_same_filled</c> is the pool's (8 bytes on x86_64, 4 with a 32-bit
/// <see cref="ZsSizeClassTable"/>). The compressors are those of x86_64/arm64 builds (lzo's CTZ64 match extension).
/// Not modelled: writeback, idle/recompression, mem_limit, compaction.
/// </summary>
public sealed class ZramDevice
{
    private const int PageSize = ZramCompressor.PageSize;

    private readonly byte[] _page = new byte[PageSize];
    private readonly byte[] _buffer = new byte[ZramCompressor.BufferSize];
    private Slot[] _slots = new Slot[256];
    private long _comprDataSize, _samePages, _hugePages, _hugePagesSince, _pagesStored, _maxUsedPages;

    public ZramDevice(ZramAlgorithm algorithm)
        : this(algorithm, new ZsPool())
    {
    }

    /// <summary>A device over a given pool (another architecture's <see cref="ZsSizeClassTable"/>).</summary>
    public ZramDevice(ZramAlgorithm algorithm, ZsPool pool)
    {
        Algorithm = algorithm;
        Pool = pool;
        HugeClassSize = pool.Table.HugeClassSize;
    }

    public ZramAlgorithm Algorithm { get; }

    /// <summary>The zsmalloc pool (<c>zram-&gt;mem_pool</c>), for its debugfs class statistics.</summary>
    public ZsPool Pool { get; }

    /// <summary>zram's <c>huge_class_size</c> (from <c>zs_huge_class_size</c> at <c>zram_meta_alloc</c>).</summary>
    public int HugeClassSize { get; }

    /// <summary>Writes <paramref name="bytes"/> from offset 0 in 4 KiB pages, the last one zero-padded.</summary>
    public void Write(ReadOnlySpan<byte> bytes) => Write(bytes, 0);

    /// <summary>
    /// Writes <paramref name="bytes"/> at byte <paramref name="offset"/> (a multiple of PAGE_SIZE) in whole pages,
    /// the last one zero-padded (what a fresh device holds past the data).
    /// </summary>
    public void Write(ReadOnlySpan<byte> bytes, long offset)
    {
        if (offset < 0 || offset % PageSize != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(offset), offset, "zram is written here in whole pages: the offset must be a multiple of 4096");
        }

        var index = offset / PageSize;
        for (var at = 0; at < bytes.Length; at += PageSize, index++)
        {
            var n = Math.Min(PageSize, bytes.Length - at);
            if (n == PageSize)
            {
                WritePage(bytes.Slice(at, PageSize), index);
            }
            else
            {
                bytes.Slice(at, n).CopyTo(_page);
                _page.AsSpan(n).Clear();
                WritePage(_page, index);
            }
        }
    }

    /// <summary>What <c>/sys/block/zram0/mm_stat</c> shows now.</summary>
    public ZramStats Stats => new(Algorithm, _pagesStored * PageSize, _comprDataSize, Pool.TotalPages * PageSize,
        _samePages, _hugePages, _pagesStored)
    {
        MemUsedMax = _maxUsedPages * PageSize,
        HugePagesSince = _hugePagesSince,
    };

    /// <summary>
    /// <c>page_same_filled</c>: every <c>unsigned long</c> of the page equals the first (8 bytes, or 4 on a 32-bit
    /// kernel: a page of alternating 4-byte words is same-filled on x86_64 only).
    /// </summary>
    public static bool PageSameFilled(ReadOnlySpan<byte> page, int wordSize = 8)
    {
        // IndexOfAnyExcept is the same test as the kernel's loop (last word first, then the rest); only the answer matters.
        if (wordSize == 4)
        {
            var w32 = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, uint>(page);
            return w32.IndexOfAnyExcept(w32[0]) < 0;
        }

        var words = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, ulong>(page);
        return words[0] == words[^1] && words.IndexOfAnyExcept(words[0]) < 0;
    }

    private void WritePage(ReadOnlySpan<byte> page, long index)
    {
        var same = PageSameFilled(page, Pool.Table.HandleSize); // ZS_HANDLE_SIZE = sizeof(unsigned long)
        var handle = 0;
        var compLen = 0;
        if (same)
        {
            _samePages++;
        }
        else
        {
            compLen = ZramCompressor.Compress(Algorithm, page, _buffer);
            if (compLen >= HugeClassSize)
            {
                compLen = PageSize;
            }

            handle = Pool.Malloc(compLen);
            _maxUsedPages = Math.Max(_maxUsedPages, Pool.TotalPages); // update_used_max
            _comprDataSize += compLen;
        }

        // out: zram_free_page(index), then the new slot contents and pages_stored++.
        FreeSlot(index);
        ref var slot = ref SlotAt(index);
        if (compLen == PageSize)
        {
            slot.Huge = true;
            _hugePages++;
            _hugePagesSince++;
        }

        slot.Same = same;
        slot.Handle = handle;
        slot.Size = compLen;
        slot.Stored = true;
        _pagesStored++;
    }

    private void FreeSlot(long index)
    {
        if (index >= _slots.Length)
        {
            return;
        }

        ref var slot = ref _slots[index];
        if (!slot.Stored)
        {
            return;
        }

        if (slot.Huge)
        {
            _hugePages--;
        }

        if (slot.Same)
        {
            _samePages--;
        }
        else
        {
            Pool.Free(slot.Handle);
            _comprDataSize -= slot.Size;
        }

        _pagesStored--;
        slot = default;
    }

    private ref Slot SlotAt(long index)
    {
        if (index >= _slots.Length)
        {
            var n = _slots.Length;
            while (n <= index)
            {
                n *= 2;
            }

            Array.Resize(ref _slots, n);
        }

        return ref _slots[index];
    }

    private struct Slot
    {
        public bool Stored;
        public bool Same;
        public bool Huge;
        public int Handle;
        public int Size;
    }
}
