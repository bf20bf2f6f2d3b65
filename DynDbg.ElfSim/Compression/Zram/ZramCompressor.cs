namespace DynDbg.ElfSim.Compression.Zram;

/// <summary>
/// One page through zram's compressor as 6.1's <c>zcomp_compress</c> → <c>crypto_comp_compress</c> runs it
/// (source PAGE_SIZE bytes, destination <c>2 × PAGE_SIZE</c>):
/// <list type="bullet">
/// <item><c>lzo-rle</c>: <c>crypto/lzo-rle.c</c> → <c>lzorle1x_1_compress_safe</c>, <see cref="Lzo1x"/> (our port of
///   6.1 <c>lib/lzo/lzo1x_compress.c</c>, bitstream version 1 with the RLE extension).</item>
/// <item><c>lz4</c>: <c>crypto/lz4.c</c> → <c>LZ4_compress_default</c> (acceleration 1), <see cref="Lz4"/> (our port of
///   6.1 <c>lib/lz4/lz4_compress.c</c>; K4os.Compression.LZ4, a port of LZ4 1.9, is not byte-compatible with it).</item>
/// <item><c>lz4hc</c>: <c>crypto/lz4hc.c</c> → <c>LZ4_compress_HC(.., LZ4HC_DEFAULT_CLEVEL = 9)</c>, <see cref="Lz4"/>
///   (our port of <c>lib/lz4/lz4hc_compress.c</c>).</item>
/// <item><c>zstd</c>: <c>crypto/zstd.c</c> → <c>zstd_compress_cctx</c> with <c>zstd_get_params(3, 0)</c>: every
///   compression parameter of level 3 for an unknown source size set explicitly (windowLog 21, chainLog 16,
///   hashLog 17, searchLog 1, minMatch 5, targetLength 0, strategy dfast), content size written, no checksum;
///   pledged size PAGE_SIZE (<c>zstd_cctx_init</c>). Runs on <see cref="ZstdSelection.Default"/> (the system's
///   libzstd, else ZstdSharp.Port); 6.1's <c>lib/zstd</c> is zstd 1.4.10, so a frame may differ by a few bytes.</item>
/// </list>
/// Buffers and contexts are per thread; no allocation per page.
/// </summary>
public static class ZramCompressor
{
    /// <summary>PAGE_SIZE: zram compresses whole 4 KiB pages.</summary>
    public const int PageSize = 4096;

    /// <summary>zcomp's destination buffer: <c>2 × PAGE_SIZE</c> (<c>zcomp_strm_init</c>).</summary>
    public const int BufferSize = 2 * PageSize;

    // crypto/zstd.c ZSTD_DEF_LEVEL and zstd's level-3 row for an unknown size (lib/zstd ZSTD_defaultCParameters[0][3]).
    private const int ZstdLevel = 3;
    private static readonly (int Parameter, int Value)[] ZstdKernelParameters =
    [
        (101, 21), // ZSTD_c_windowLog
        (102, 17), // ZSTD_c_hashLog
        (103, 16), // ZSTD_c_chainLog
        (104, 1),  // ZSTD_c_searchLog
        (105, 5),  // ZSTD_c_minMatch
        (106, 0),  // ZSTD_c_targetLength
        (107, 2),  // ZSTD_c_strategy: ZSTD_dfast
        (200, 1),  // ZSTD_c_contentSizeFlag
        (201, 0),  // ZSTD_c_checksumFlag
        (202, 1),  // ZSTD_c_dictIDFlag = !noDictIDFlag
    ];

    [ThreadStatic] private static byte[]? t_buffer;
    [ThreadStatic] private static ZstdCompressor? t_zstd;

    /// <summary>
    /// The compressed length of one page (exactly <see cref="PageSize"/> bytes), before zram's huge-page rule.
    /// </summary>
    public static int CompressedLength(ZramAlgorithm algorithm, ReadOnlySpan<byte> page) =>
        Compress(algorithm, page, t_buffer ??= new byte[BufferSize]);

    /// <summary>
    /// Compresses one page into <paramref name="destination"/> (at least <see cref="BufferSize"/> bytes, as zcomp
    /// gives) and returns the length: the bytes the kernel would store before the huge-page rule.
    /// </summary>
    public static int Compress(ZramAlgorithm algorithm, ReadOnlySpan<byte> page, Span<byte> destination)
    {
        if (page.Length != PageSize)
        {
            throw new ArgumentException($"zram compresses {PageSize}-byte pages, not {page.Length} bytes", nameof(page));
        }

        if (destination.Length < BufferSize)
        {
            throw new ArgumentException($"the destination must hold {BufferSize} bytes (zcomp's 2 × PAGE_SIZE)", nameof(destination));
        }

        return algorithm switch
        {
            ZramAlgorithm.LzoRle => Lzo1x.Compress(page, destination, rle: true),
            ZramAlgorithm.Lz4 => Lz4.CompressDefault(page, destination),
            ZramAlgorithm.Lz4Hc => Lz4.CompressHc(page, destination, Lz4.HcDefaultLevel),
            ZramAlgorithm.Zstd => Zstd().Compress(page, destination),
            _ => throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm, null),
        };
    }

    /// <summary>What computes the algorithm here, for reports.</summary>
    public static string Implementation(ZramAlgorithm algorithm) => algorithm switch
    {
        ZramAlgorithm.LzoRle => "own port of lib/lzo (6.1)",
        ZramAlgorithm.Lz4 => "own port of lib/lz4 (6.1)",
        ZramAlgorithm.Lz4Hc => "own port of lib/lz4 lz4hc (6.1)",
        ZramAlgorithm.Zstd => ZstdSelection.Default.Description,
        _ => throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm, null),
    };

    private static ZstdCompressor Zstd()
    {
        if (t_zstd is { } z)
        {
            return z;
        }

        z = new ZstdCompressor(ZstdLevel);
        foreach (var (parameter, value) in ZstdKernelParameters)
        {
            z.SetParameter(parameter, value);
        }

        return t_zstd = z;
    }
}
