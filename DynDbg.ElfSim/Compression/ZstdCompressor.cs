namespace DynDbg.ElfSim.Compression;

/// <summary>
/// One <c>ZSTD_CCtx</c> with fixed parameters: the given level, no checksum, content size written, no dictionary
/// ID (the store knows its dictionary). With a dictionary it references the dictionary's CDict. Runs on the given
/// implementation, else the dictionary's, else <see cref="ZstdSelection.Default"/>. Not thread-safe.
/// </summary>
public sealed class ZstdCompressor : IDisposable
{
    // zstd.h ZSTD_cParameter values (stable section); the same numbers in both implementations.
    private const int CompressionLevel = 100;
    private const int ContentSizeFlag = 200;
    private const int ChecksumFlag = 201;
    private const int DictIdFlag = 202;

    private nint _cctx;

    public ZstdCompressor(int level, ZstdDictionary? dictionary = null, IZstd? zstd = null)
    {
        Level = level;
        Zstd = zstd ?? dictionary?.Zstd ?? ZstdSelection.Default;
        if (dictionary is not null && dictionary.Zstd != Zstd)
        {
            throw new ArgumentException($"the dictionary belongs to {dictionary.Zstd.Description}, not {Zstd.Description}", nameof(dictionary));
        }

        _cctx = ZstdCheck.Created(Zstd.CreateCCtx(), "ZSTD_createCCtx");
        try
        {
            Zstd.Check(Zstd.CCtxSetParameter(_cctx, CompressionLevel, level), "ZSTD_c_compressionLevel");
            Zstd.Check(Zstd.CCtxSetParameter(_cctx, ChecksumFlag, 0), "ZSTD_c_checksumFlag");
            Zstd.Check(Zstd.CCtxSetParameter(_cctx, ContentSizeFlag, 1), "ZSTD_c_contentSizeFlag");
            Zstd.Check(Zstd.CCtxSetParameter(_cctx, DictIdFlag, 0), "ZSTD_c_dictIDFlag");
            if (dictionary is not null)
            {
                Zstd.Check(Zstd.CCtxRefCDict(_cctx, dictionary.CDict(level)), "ZSTD_CCtx_refCDict");
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public int Level { get; }

    public IZstd Zstd { get; }

    /// <summary>One whole zstd frame (with its 4-byte magic number) for <paramref name="source"/>.</summary>
    public byte[] Compress(ReadOnlySpan<byte> source)
    {
        ObjectDisposedException.ThrowIf(_cctx == 0, this);
        var bound = (int)Zstd.CompressBound((nuint)source.Length);
        var buffer = bound <= 4096 ? stackalloc byte[bound] : new byte[bound];
        var written = Zstd.Check(Zstd.Compress2(_cctx, buffer, source), "ZSTD_compress2");
        return buffer[..(int)written].ToArray();
    }

    /// <summary>
    /// <c>ZSTD_CCtx_setParameter</c> with a zstd.h <c>ZSTD_cParameter</c> value (e.g. 101 windowLog .. 107 strategy),
    /// for callers that must match another program's exact parameters (zram's crypto/zstd.c).
    /// </summary>
    public void SetParameter(int parameter, int value)
    {
        ObjectDisposedException.ThrowIf(_cctx == 0, this);
        Zstd.Check(Zstd.CCtxSetParameter(_cctx, parameter, value), $"ZSTD_CCtx_setParameter({parameter})");
    }

    /// <summary>One whole frame for <paramref name="source"/> into <paramref name="destination"/>; its length. No allocation.</summary>
    public int Compress(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        ObjectDisposedException.ThrowIf(_cctx == 0, this);
        return (int)Zstd.Check(Zstd.Compress2(_cctx, destination, source), "ZSTD_compress2");
    }

    public void Dispose()
    {
        if (_cctx != 0)
        {
            Zstd.FreeCCtx(_cctx);
            _cctx = 0;
        }
    }
}
