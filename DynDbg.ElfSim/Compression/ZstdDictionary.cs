namespace DynDbg.ElfSim.Compression;

/// <summary>
/// A zstd dictionary: trained by <c>ZDICT_trainFromBuffer</c> (header, entropy tables and content), or raw
/// content (any bytes are a valid raw-content dictionary, zdict.h). Owns the CDict/DDict made from it by its
/// implementation; <see cref="For"/> gives the same bytes to the other implementation.
/// </summary>
public sealed class ZstdDictionary : IDisposable
{
    /// <summary>ZDICT_DICTSIZE_MIN: the smallest capacity the trainer accepts.</summary>
    public const int MinCapacity = 256;

    /// <summary>The zstd CLI's default dictionary size (110 KB), the largest zdict.h suggests.</summary>
    public const int MaxCapacity = 112640;

    private readonly Dictionary<int, nint> _cdicts = new();
    private nint _ddict;

    private ZstdDictionary(byte[] bytes, bool trained, IZstd zstd)
    {
        Bytes = bytes;
        IsTrained = trained;
        Zstd = zstd;
    }

    public byte[] Bytes { get; }

    /// <summary>True for a ZDICT-trained dictionary, false for raw content.</summary>
    public bool IsTrained { get; }

    /// <summary>The implementation whose CDict/DDict this dictionary makes.</summary>
    public IZstd Zstd { get; }

    /// <summary>
    /// Trains on <paramref name="samples"/> cut into pieces of <paramref name="sampleSizes"/> bytes. Returns null
    /// and the trainer's error when it refuses (too few samples, or a dictionary would not help; zdict.h).
    /// </summary>
    public static ZstdDictionary? Train(ReadOnlySpan<byte> samples, ReadOnlySpan<int> sampleSizes, int capacity, out string? error, IZstd? zstd = null)
    {
        if (capacity < MinCapacity)
        {
            error = $"dictionary capacity {capacity} is below ZDICT_DICTSIZE_MIN ({MinCapacity})";
            return null;
        }

        zstd ??= ZstdSelection.Default;
        var dict = zstd.TrainFromBuffer(samples, sampleSizes, capacity, out error);
        return dict is null ? null : new ZstdDictionary(dict, trained: true, zstd);
    }

    public static ZstdDictionary FromContent(byte[] content, IZstd? zstd = null) =>
        new((byte[])content.Clone(), trained: false, zstd ?? ZstdSelection.Default);

    /// <summary>The same dictionary bytes for <paramref name="zstd"/> (frames of one implementation, read by the other).</summary>
    public ZstdDictionary For(IZstd zstd) => new((byte[])Bytes.Clone(), IsTrained, zstd);

    /// <summary>What the decompression side holds for this dictionary (<c>ZSTD_sizeof_DDict</c>).</summary>
    public long DDictBytes => (long)Zstd.SizeofDDict(DDict());

    internal nint CDict(int level)
    {
        if (!_cdicts.TryGetValue(level, out var cdict))
        {
            cdict = ZstdCheck.Created(Zstd.CreateCDict(Bytes, level), "ZSTD_createCDict");
            _cdicts[level] = cdict;
        }

        return cdict;
    }

    internal nint DDict()
    {
        if (_ddict == 0)
        {
            _ddict = ZstdCheck.Created(Zstd.CreateDDict(Bytes), "ZSTD_createDDict");
        }

        return _ddict;
    }

    public void Dispose()
    {
        foreach (var c in _cdicts.Values)
        {
            Zstd.FreeCDict(c);
        }

        _cdicts.Clear();
        if (_ddict != 0)
        {
            Zstd.FreeDDict(_ddict);
            _ddict = 0;
        }
    }
}
