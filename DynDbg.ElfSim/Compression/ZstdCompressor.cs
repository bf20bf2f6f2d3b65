namespace DynDbg.ElfSim.Compression;

/// <summary>
/// One <c>ZSTD_CCtx</c> with fixed parameters: the given level, no checksum, content size written, no dictionary
/// ID (the store knows its dictionary). With a dictionary it references the dictionary's CDict. Not thread-safe.
/// </summary>
public sealed unsafe class ZstdCompressor : IDisposable
{
    private nint _cctx;

    public ZstdCompressor(int level, ZstdDictionary? dictionary = null)
    {
        Level = level;
        _cctx = LibZstd.Created(LibZstd.ZSTD_createCCtx(), "ZSTD_createCCtx");
        try
        {
            LibZstd.Check(LibZstd.ZSTD_CCtx_setParameter(_cctx, LibZstd.CompressionLevel, level), "ZSTD_c_compressionLevel");
            LibZstd.Check(LibZstd.ZSTD_CCtx_setParameter(_cctx, LibZstd.ChecksumFlag, 0), "ZSTD_c_checksumFlag");
            LibZstd.Check(LibZstd.ZSTD_CCtx_setParameter(_cctx, LibZstd.ContentSizeFlag, 1), "ZSTD_c_contentSizeFlag");
            LibZstd.Check(LibZstd.ZSTD_CCtx_setParameter(_cctx, LibZstd.DictIdFlag, 0), "ZSTD_c_dictIDFlag");
            if (dictionary is not null)
            {
                LibZstd.Check(LibZstd.ZSTD_CCtx_refCDict(_cctx, dictionary.CDict(level)), "ZSTD_CCtx_refCDict");
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public int Level { get; }

    /// <summary>One whole zstd frame (with its 4-byte magic number) for <paramref name="source"/>.</summary>
    public byte[] Compress(ReadOnlySpan<byte> source)
    {
        ObjectDisposedException.ThrowIf(_cctx == 0, this);
        var bound = (int)LibZstd.ZSTD_compressBound((nuint)source.Length);
        var buffer = bound <= 4096 ? stackalloc byte[bound] : new byte[bound];
        nuint written;
        fixed (byte* src = source)
        fixed (byte* dst = buffer)
        {
            written = LibZstd.Check(LibZstd.ZSTD_compress2(_cctx, dst, (nuint)buffer.Length, src, (nuint)source.Length), "ZSTD_compress2");
        }

        return buffer[..(int)written].ToArray();
    }

    public void Dispose()
    {
        if (_cctx != 0)
        {
            LibZstd.ZSTD_freeCCtx(_cctx);
            _cctx = 0;
        }
    }
}
