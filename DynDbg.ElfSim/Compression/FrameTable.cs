namespace DynDbg.ElfSim.Compression;

/// <summary>
/// Independent zstd frames stored back to back without their 4-byte magic number, plus the start offset of each:
/// what a block or per-record store keeps. An offset takes 2 bytes while the frames total under 64 KiB, else 4;
/// the end of frame i is the start of frame i+1 (or the total), so no lengths are stored.
/// </summary>
internal sealed class FrameTable
{
    private readonly byte[] _data;
    private readonly int[] _starts;

    public FrameTable(ZstdCompressor compressor, ReadOnlySpan<byte> source, int pieceSize)
    {
        var pieces = source.IsEmpty ? 0 : (source.Length + pieceSize - 1) / pieceSize;
        _starts = new int[pieces + 1];
        using var data = new MemoryStream();
        for (var p = 0; p < pieces; p++)
        {
            _starts[p] = (int)data.Length;
            var piece = source.Slice(p * pieceSize, Math.Min(pieceSize, source.Length - (p * pieceSize)));
            var frame = compressor.Compress(piece);
            data.Write(frame, 4, frame.Length - 4);
        }

        _starts[pieces] = (int)data.Length;
        _data = data.ToArray();
    }

    public int Count => _starts.Length - 1;

    public long DataBytes => _data.Length;

    public long IndexBytes => (long)Count * (_data.Length < 65536 ? 2 : 4);

    public ReadOnlySpan<byte> Frame(int i) => _data.AsSpan(_starts[i], _starts[i + 1] - _starts[i]);
}
