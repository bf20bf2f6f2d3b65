namespace DynDbg.ElfSim.Compression.Zram;

/// <summary>The crypto API names of <see cref="ZramAlgorithm"/>, as <c>comp_algorithm</c> prints and accepts them.</summary>
public static class ZramAlgorithmNames
{
    /// <summary>All four, in the order reports list them (6.1's default first).</summary>
    public static IReadOnlyList<ZramAlgorithm> All { get; } = [ZramAlgorithm.LzoRle, ZramAlgorithm.Lz4, ZramAlgorithm.Lz4Hc, ZramAlgorithm.Zstd];

    /// <summary><c>lzo-rle</c>, <c>lz4</c>, <c>lz4hc</c> or <c>zstd</c>.</summary>
    public static string Name(this ZramAlgorithm algorithm) => algorithm switch
    {
        ZramAlgorithm.LzoRle => "lzo-rle",
        ZramAlgorithm.Lz4 => "lz4",
        ZramAlgorithm.Lz4Hc => "lz4hc",
        ZramAlgorithm.Zstd => "zstd",
        _ => throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm, null),
    };

    /// <summary>The algorithm whose kernel name is <paramref name="name"/>, or false.</summary>
    public static bool TryParse(string name, out ZramAlgorithm algorithm)
    {
        foreach (var a in All)
        {
            if (string.Equals(a.Name(), name, StringComparison.Ordinal))
            {
                algorithm = a;
                return true;
            }
        }

        algorithm = default;
        return false;
    }
}
