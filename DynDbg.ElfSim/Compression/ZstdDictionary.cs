namespace DynDbg.ElfSim.Compression;

/// <summary>
/// A zstd dictionary: trained by <c>ZDICT_trainFromBuffer</c> (header, entropy tables and content), or raw
/// content (any bytes are a valid raw-content dictionary, zdict.h). Owns the CDict/DDict made from it.
/// </summary>
public sealed unsafe class ZstdDictionary : IDisposable
{
    /// <summary>ZDICT_DICTSIZE_MIN: the smallest capacity the trainer accepts.</summary>
    public const int MinCapacity = 256;

    /// <summary>The zstd CLI's default dictionary size (110 KB), the largest zdict.h suggests.</summary>
    public const int MaxCapacity = 112640;

    private readonly Dictionary<int, nint> _cdicts = new();
    private nint _ddict;

    private ZstdDictionary(byte[] bytes, bool trained)
    {
        Bytes = bytes;
        IsTrained = trained;
    }

    public byte[] Bytes { get; }

    /// <summary>True for a ZDICT-trained dictionary, false for raw content.</summary>
    public bool IsTrained { get; }

    /// <summary>
    /// Trains on <paramref name="samples"/> cut into pieces of <paramref name="sampleSizes"/> bytes. Returns null
    /// and the trainer's error when it refuses (too few samples, or a dictionary would not help; zdict.h).
    /// </summary>
    public static ZstdDictionary? Train(ReadOnlySpan<byte> samples, ReadOnlySpan<int> sampleSizes, int capacity, out string? error)
    {
        if (capacity < MinCapacity)
        {
            error = $"dictionary capacity {capacity} is below ZDICT_DICTSIZE_MIN ({MinCapacity})";
            return null;
        }

        var sizes = new nuint[sampleSizes.Length];
        for (var i = 0; i < sizes.Length; i++)
        {
            sizes[i] = (nuint)sampleSizes[i];
        }

        var dict = new byte[capacity];
        nuint result;
        fixed (byte* d = dict)
        fixed (byte* s = samples)
        fixed (nuint* z = sizes)
        {
            result = LibZstd.ZDICT_trainFromBuffer(d, (nuint)dict.Length, s, z, (uint)sizes.Length);
        }

        if (LibZstd.ZDICT_isError(result) != 0)
        {
            error = $"ZDICT_trainFromBuffer: {System.Runtime.InteropServices.Marshal.PtrToStringUTF8(LibZstd.ZDICT_getErrorName(result))}";
            return null;
        }

        error = null;
        return new ZstdDictionary(dict[..(int)result], trained: true);
    }

    public static ZstdDictionary FromContent(byte[] content) => new((byte[])content.Clone(), trained: false);

    /// <summary>What the decompression side holds for this dictionary (<c>ZSTD_sizeof_DDict</c>).</summary>
    public long DDictBytes => (long)LibZstd.ZSTD_sizeof_DDict(DDict());

    internal nint CDict(int level)
    {
        if (!_cdicts.TryGetValue(level, out var cdict))
        {
            fixed (byte* d = Bytes)
            {
                cdict = LibZstd.Created(LibZstd.ZSTD_createCDict(d, (nuint)Bytes.Length, level), "ZSTD_createCDict");
            }

            _cdicts[level] = cdict;
        }

        return cdict;
    }

    internal nint DDict()
    {
        if (_ddict == 0)
        {
            fixed (byte* d = Bytes)
            {
                _ddict = LibZstd.Created(LibZstd.ZSTD_createDDict(d, (nuint)Bytes.Length), "ZSTD_createDDict");
            }
        }

        return _ddict;
    }

    public void Dispose()
    {
        foreach (var c in _cdicts.Values)
        {
            LibZstd.ZSTD_freeCDict(c);
        }

        _cdicts.Clear();
        if (_ddict != 0)
        {
            LibZstd.ZSTD_freeDDict(_ddict);
            _ddict = 0;
        }
    }
}
