namespace DynDbg.ElfSim.Compression;

/// <summary>CMPnnn: the compression study's environment (zstd). Stable IDs.</summary>
public static class CompressionErrorIds
{
    /// <summary>
    /// <c>--zstd system</c> and the system's libzstd could not be loaded (exit 2). Under <c>--zstd auto</c> this is
    /// no longer a note that skips the zstd stores: ZstdSharp.Port runs them and the output names it.
    /// </summary>
    public const string ZstdUnavailable = "CMP001";

    /// <summary>zstd (either implementation) returned an error while compressing or decompressing the tool's own data.</summary>
    public const string ZstdFailed = "CMP002";
}
