namespace DynDbg.ElfSim.Compression;

/// <summary>
/// The subset of zstd.h / zdict.h this tool calls, with contexts and dictionaries as opaque handles: one
/// implementation over the system's C library (<see cref="SystemZstd"/>), one over ZstdSharp.Port's line-by-line
/// port (<see cref="ManagedZstd"/>). Both are the same C API, so <see cref="ZstdCompressor"/>,
/// <see cref="ZstdDecompressor"/> and <see cref="ZstdDictionary"/> drive either the same way and frame bytes
/// differ only where the zstd versions differ. <see cref="ZstdSelection"/> picks one; handles never cross
/// implementations. Sizes and error codes are zstd's <c>size_t</c>, checked with <see cref="IsError"/>.
/// </summary>
public interface IZstd
{
    /// <summary><see cref="ZstdChoice.System"/> or <see cref="ZstdChoice.Managed"/>.</summary>
    ZstdChoice Kind { get; }

    /// <summary>What provides zstd: the loaded library name (<c>libzstd.so.1</c>) or the package (<c>ZstdSharp.Port</c>).</summary>
    string Library { get; }

    /// <summary>The zstd version it implements (<c>ZSTD_versionNumber</c>), e.g. <c>1.5.4</c>.</summary>
    string Version { get; }

    /// <summary>One line for reports, e.g. <c>libzstd 1.5.4 (system)</c>.</summary>
    string Description { get; }

    nuint CompressBound(nuint size);

    bool IsError(nuint code);

    string ErrorName(nuint code);

    nint CreateCCtx();

    void FreeCCtx(nint cctx);

    /// <summary><c>ZSTD_CCtx_setParameter</c>; <paramref name="parameter"/> is a zstd.h <c>ZSTD_cParameter</c> value.</summary>
    nuint CCtxSetParameter(nint cctx, int parameter, int value);

    nuint CCtxRefCDict(nint cctx, nint cdict);

    nuint Compress2(nint cctx, Span<byte> destination, ReadOnlySpan<byte> source);

    nint CreateDCtx();

    void FreeDCtx(nint dctx);

    nuint SizeofDCtx(nint dctx);

    nuint DCtxRefDDict(nint dctx, nint ddict);

    nuint DecompressDCtx(nint dctx, Span<byte> destination, ReadOnlySpan<byte> frame);

    nint CreateCDict(ReadOnlySpan<byte> dictionary, int level);

    void FreeCDict(nint cdict);

    nint CreateDDict(ReadOnlySpan<byte> dictionary);

    void FreeDDict(nint ddict);

    nuint SizeofDDict(nint ddict);

    /// <summary>
    /// <c>ZDICT_trainFromBuffer</c> on <paramref name="samples"/> cut into pieces of <paramref name="sampleSizes"/>
    /// bytes: the dictionary (at most <paramref name="capacity"/> bytes), or null and the trainer's error.
    /// </summary>
    byte[]? TrainFromBuffer(ReadOnlySpan<byte> samples, ReadOnlySpan<int> sampleSizes, int capacity, out string? error);
}
