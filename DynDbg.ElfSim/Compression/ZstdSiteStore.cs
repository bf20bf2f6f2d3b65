using System.Runtime.CompilerServices;

namespace DynDbg.ElfSim.Compression;

/// <summary>
/// <c>zstd</c>: the whole <c>__dyndbg_sites</c> array (<see cref="SiteTable.ToBytes"/>) as one zstd frame. Any
/// Get decompresses the whole table into a scratch buffer (no random access); <c>cat control</c> decompresses it
/// once. Bytes: the frame without its magic number.
/// </summary>
public sealed class ZstdSiteStore : SiteStore
{
    private readonly FrameTable _frame;
    private readonly ZstdDecompressor _decompressor;
    private readonly byte[] _scratch;

    public ZstdSiteStore(SiteTable table, int level, IZstd? zstd = null) : base(table)
    {
        Level = level;
        Zstd = zstd ?? ZstdSelection.Default;
        var bytes = table.ToBytes();
        _decompressor = new ZstdDecompressor(zstd: Zstd);
        using (var compressor = new ZstdCompressor(level, zstd: Zstd))
        {
            _frame = new FrameTable(compressor, bytes, Math.Max(bytes.Length, 1));
        }

        _scratch = new byte[bytes.Length];
    }

    public int Level { get; }

    public IZstd Zstd { get; }

    public override string Name => "zstd";

    public override SiteStoreSize Size => new(_frame.DataBytes, 0, 0);

    public override long WorkspaceBytes => _decompressor.WorkspaceBytes + _scratch.Length;

    public override bool RandomAccess => false;

    public override string Detail => $"one frame of {Table.RawBytes} bytes at level {Level}, magic number not stored";

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override Site Get(int index)
    {
        Decompress();
        return Table.ReadSite(_scratch.AsSpan(index * Table.SiteSize, Table.SiteSize));
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override void Stream(Action<int, Site> visit)
    {
        Decompress();
        for (var i = 0; i < Count; i++)
        {
            visit(i, Table.ReadSite(_scratch.AsSpan(i * Table.SiteSize, Table.SiteSize)));
        }
    }

    public override void Dispose()
    {
        _decompressor.Dispose();
        base.Dispose();
    }

    private void Decompress()
    {
        if (_frame.Count > 0)
        {
            _decompressor.DecompressWithoutMagic(_frame.Frame(0), _scratch);
        }
    }
}
