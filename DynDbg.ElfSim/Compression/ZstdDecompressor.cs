using System.Runtime.CompilerServices;

namespace DynDbg.ElfSim.Compression;

/// <summary>
/// One <c>ZSTD_DCtx</c>, optionally referencing a dictionary's DDict. Frames may be given without their constant
/// 4-byte magic number (the stores keep them that way); it is put back in a scratch buffer before decoding, so
/// only zstd's stable API is used. Runs on the given implementation, else the dictionary's, else
/// <see cref="ZstdSelection.Default"/>. Not thread-safe.
/// </summary>
public sealed class ZstdDecompressor : IDisposable
{
    /// <summary>ZSTD_MAGICNUMBER 0xFD2FB528, little-endian as it starts every frame.</summary>
    public static ReadOnlySpan<byte> Magic => [0x28, 0xb5, 0x2f, 0xfd];

    private nint _dctx;
    private byte[] _scratch = new byte[256];

    public ZstdDecompressor(ZstdDictionary? dictionary = null, IZstd? zstd = null)
    {
        Zstd = zstd ?? dictionary?.Zstd ?? ZstdSelection.Default;
        if (dictionary is not null && dictionary.Zstd != Zstd)
        {
            throw new ArgumentException($"the dictionary belongs to {dictionary.Zstd.Description}, not {Zstd.Description}", nameof(dictionary));
        }

        _dctx = ZstdCheck.Created(Zstd.CreateDCtx(), "ZSTD_createDCtx");
        if (dictionary is not null)
        {
            try
            {
                Zstd.Check(Zstd.DCtxRefDDict(_dctx, dictionary.DDict()), "ZSTD_DCtx_refDDict");
            }
            catch
            {
                Dispose();
                throw;
            }
        }
    }

    public IZstd Zstd { get; }

    /// <summary>What the decompression context occupies (<c>ZSTD_sizeof_DCtx</c>) plus the magic scratch buffer.</summary>
    public long WorkspaceBytes => (long)Zstd.SizeofDCtx(_dctx) + _scratch.Length;

    /// <summary>Decodes one whole frame into <paramref name="destination"/>; returns the bytes written.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public int Decompress(ReadOnlySpan<byte> frame, Span<byte> destination)
    {
        ObjectDisposedException.ThrowIf(_dctx == 0, this);
        return (int)Zstd.Check(Zstd.DecompressDCtx(_dctx, destination, frame), "ZSTD_decompressDCtx");
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
            Zstd.FreeDCtx(_dctx);
            _dctx = 0;
        }
    }
}
