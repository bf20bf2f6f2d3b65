using System.Runtime.CompilerServices;

namespace DynDbg.ElfSim.Compression;

/// <summary>
/// <c>zstd-block</c>: the site array cut into blocks of <see cref="BlockRecords"/> records, each its own zstd
/// frame, with a start offset per block. A Get decompresses one block into a block-sized buffer; <c>cat
/// control</c> decompresses each block once. Bytes: frames without magic numbers plus the offsets.
/// </summary>
public sealed class ZstdBlockSiteStore : SiteStore
{
    private readonly FrameTable _frames;
    private readonly ZstdDecompressor _decompressor;
    private readonly byte[] _block;

    public ZstdBlockSiteStore(SiteTable table, int level, int blockRecords, IZstd? zstd = null) : base(table)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(blockRecords, 1);
        Level = level;
        BlockRecords = blockRecords;
        Zstd = zstd ?? ZstdSelection.Default;
        _decompressor = new ZstdDecompressor(zstd: Zstd);
        using (var compressor = new ZstdCompressor(level, zstd: Zstd))
        {
            _frames = new FrameTable(compressor, table.ToBytes(), blockRecords * table.SiteSize);
        }

        _block = new byte[blockRecords * table.SiteSize];
    }

    public int Level { get; }

    public int BlockRecords { get; }

    public IZstd Zstd { get; }

    public override string Name => "zstd-block";

    public override SiteStoreSize Size => new(_frames.DataBytes, _frames.IndexBytes, 0);

    public override long WorkspaceBytes => _decompressor.WorkspaceBytes + _block.Length;

    public override bool RandomAccess => true;

    public override string Detail =>
        $"{_frames.Count} blocks of {BlockRecords} records at level {Level}, {_frames.IndexBytes} bytes of block offsets";

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override Site Get(int index)
    {
        var b = index / BlockRecords;
        _decompressor.DecompressWithoutMagic(_frames.Frame(b), _block);
        return Table.ReadSite(_block.AsSpan((index - (b * BlockRecords)) * Table.SiteSize, Table.SiteSize));
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override void Stream(Action<int, Site> visit)
    {
        for (var b = 0; b < _frames.Count; b++)
        {
            _decompressor.DecompressWithoutMagic(_frames.Frame(b), _block);
            var end = Math.Min(Count, (b + 1) * BlockRecords);
            for (var i = b * BlockRecords; i < end; i++)
            {
                visit(i, Table.ReadSite(_block.AsSpan((i - (b * BlockRecords)) * Table.SiteSize, Table.SiteSize)));
            }
        }
    }

    public override void Dispose()
    {
        _decompressor.Dispose();
        base.Dispose();
    }
}
