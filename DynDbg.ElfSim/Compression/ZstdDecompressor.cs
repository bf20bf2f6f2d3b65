using System.Runtime.CompilerServices;

namespace DynDbg.ElfSim.Compression;

/// <summary>
/// One <c>ZSTD_DCtx</c>, optionally referencing a dictionary's DDict. Frames may be given without their constant
/// 4-byte magic number (the stores keep them that way); it is put back in a scratch buffer before decoding, so
/// only zstd's stable API is used. Not thread-safe.
/// </summary>
public sealed unsafe class ZstdDecompressor : IDisposable
{
    /// <summary>ZSTD_MAGICNUMBER 0xFD2FB528, little-endian as it starts every frame.</summary>
    public static ReadOnlySpan<byte> Magic => [0x28, 0xb5, 0x2f, 0xfd];

    private nint _dctx;
    private byte[] _scratch = new byte[256];

    public ZstdDecompressor(ZstdDictionary? dictionary = null)
    {
        _dctx = LibZstd.Created(LibZstd.ZSTD_createDCtx(), "ZSTD_createDCtx");
        if (dictionary is not null)
        {
            try
            {
                LibZstd.Check(LibZstd.ZSTD_DCtx_refDDict(_dctx, dictionary.DDict()), "ZSTD_DCtx_refDDict");
            }
            catch
            {
                Dispose();
                throw;
            }
        }
    }

    /// <summary>What the decompression context occupies (<c>ZSTD_sizeof_DCtx</c>) plus the magic scratch buffer.</summary>
    public long WorkspaceBytes => (long)LibZstd.ZSTD_sizeof_DCtx(_dctx) + _scratch.Length;

    /// <summary>Decodes one whole frame into <paramref name="destination"/>; returns the bytes written.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public int Decompress(ReadOnlySpan<byte> frame, Span<byte> destination)
    {
        ObjectDisposedException.ThrowIf(_dctx == 0, this);
        fixed (byte* src = frame)
        fixed (byte* dst = destination)
        {
            return (int)LibZstd.Check(LibZstd.ZSTD_decompressDCtx(_dctx, dst, (nuint)destination.Length, src, (nuint)frame.Length), "ZSTD_decompressDCtx");
        }
    }

    /// <summary>Decodes a frame stored without its magic number.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public int DecompressWithoutMagic(ReadOnlySpan<byte> frameTail, Span<byte> destination)
    {
        var need = frameTail.Length + 4;
        if (_scratch.Length < need)
        {
            _scratch = new byte[Math.Max(need, _scratch.Length * 2)];
        }

        Magic.CopyTo(_scratch);
        frameTail.CopyTo(_scratch.AsSpan(4));
        return Decompress(_scratch.AsSpan(0, need), destination);
    }

    public void Dispose()
    {
        if (_dctx != 0)
        {
            LibZstd.ZSTD_freeDCtx(_dctx);
            _dctx = 0;
        }
    }
}
