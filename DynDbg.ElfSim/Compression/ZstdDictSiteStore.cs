using System.Runtime.CompilerServices;

namespace DynDbg.ElfSim.Compression;

/// <summary>
/// <c>zstd-dict</c>: every site its own zstd frame, compressed with a dictionary trained on the sites themselves
/// (<c>ZDICT_trainFromBuffer</c>, one sample per site). zdict.h's sample rules decide the capacity: about a
/// hundredth of the sample bytes, within [ZDICT_DICTSIZE_MIN, the CLI's 110 KB]. When the trainer refuses (too
/// few or too uniform samples) the store follows zdict.h's advice and compresses without a dictionary. Bytes:
/// frames without magic numbers, a start offset per site, and the dictionary; its digested DDict and the
/// decompression context are workspace.
/// </summary>
public sealed class ZstdDictSiteStore : SiteStore
{
    private readonly FrameTable _frames;
    private readonly ZstdDictionary? _dictionary;
    private readonly ZstdDecompressor _decompressor;

    public ZstdDictSiteStore(SiteTable table, int level, int capacity = 0, IZstd? zstd = null) : base(table)
    {
        Level = level;
        Zstd = zstd ?? ZstdSelection.Default;
        Capacity = capacity > 0 ? capacity : AutoCapacity(table.RawBytes);
        var bytes = table.ToBytes();
        var sizes = Enumerable.Repeat(table.SiteSize, table.Count).ToArray();
        string? error = "no samples";
        _dictionary = table.Count == 0 ? null : ZstdDictionary.Train(bytes, sizes, Capacity, out error, Zstd);
        TrainingError = error;
        using (var compressor = new ZstdCompressor(level, _dictionary, Zstd))
        {
            _frames = new FrameTable(compressor, bytes, table.SiteSize);
        }

        _decompressor = new ZstdDecompressor(_dictionary, Zstd);
    }

    public int Level { get; }

    public IZstd Zstd { get; }

    /// <summary>The dictionary capacity asked of the trainer.</summary>
    public int Capacity { get; }

    /// <summary>Why no dictionary is used (the trainer's error), or null when one was trained.</summary>
    public string? TrainingError { get; }

    public ZstdDictionary? Dictionary => _dictionary;

    public override string Name => "zstd-dict";

    public override SiteStoreSize Size => new(_frames.DataBytes, _frames.IndexBytes, _dictionary?.Bytes.Length ?? 0);

    public override long WorkspaceBytes => _decompressor.WorkspaceBytes + (_dictionary?.DDictBytes ?? 0);

    public override bool RandomAccess => true;

    public override string Detail => _dictionary is { } d
        ? $"{Count} frames at level {Level} with a {d.Bytes.Length}-byte trained dictionary (capacity {Capacity}), {_frames.IndexBytes} bytes of offsets"
        : $"{Count} frames at level {Level} without dictionary ({TrainingError}), {_frames.IndexBytes} bytes of offsets";

    /// <summary>zdict.h: samples about 100 times the dictionary; at least ZDICT_DICTSIZE_MIN, at most 110 KB.</summary>
    public static int AutoCapacity(long sampleBytes) =>
        (int)Math.Clamp(sampleBytes / 100, ZstdDictionary.MinCapacity, ZstdDictionary.MaxCapacity);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override Site Get(int index)
    {
        Span<byte> site = stackalloc byte[Table.SiteSize];
        _decompressor.DecompressWithoutMagic(_frames.Frame(index), site);
        return Table.ReadSite(site);
    }

    public override void Dispose()
    {
        _decompressor.Dispose();
        _dictionary?.Dispose();
        base.Dispose();
    }
}
