namespace DynDbg.ElfSim.Compression;

/// <summary>CMPnnn: the compression study's environment (libzstd). Stable IDs.</summary>
public static class CompressionErrorIds
{
    /// <summary>libzstd could not be loaded: a note, the zstd stores are skipped and the others still run.</summary>
    public const string ZstdUnavailable = "CMP001";

    /// <summary>libzstd returned an error while compressing or decompressing the tool's own data.</summary>
    public const string ZstdFailed = "CMP002";
}
