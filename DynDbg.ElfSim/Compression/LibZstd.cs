using System.Runtime.InteropServices;

namespace DynDbg.ElfSim.Compression;

/// <summary>
/// The few entry points of the system's reference zstd (<c>libzstd.so.1</c>, zstd.h / zdict.h, stable API only)
/// this tool calls. The library name is resolved by <see cref="ZstdLibrary"/>; touching this class first makes
/// sure the library is there, so a missing library is a <see cref="ZstdException"/>, never a DllNotFoundException.
/// Only <see cref="SystemZstd"/> calls it; everything else goes through <see cref="IZstd"/>.
/// </summary>
internal static unsafe partial class LibZstd
{
    public const string Name = "zstd";

    // zstd.h ZSTD_cParameter values (stable section).
    public const int CompressionLevel = 100;
    public const int ContentSizeFlag = 200;
    public const int ChecksumFlag = 201;
    public const int DictIdFlag = 202;

    static LibZstd() => ZstdLibrary.Require();

    [LibraryImport(Name)]
    public static partial uint ZSTD_versionNumber();

    [LibraryImport(Name)]
    public static partial nuint ZSTD_compressBound(nuint srcSize);

    [LibraryImport(Name)]
    public static partial uint ZSTD_isError(nuint code);

    [LibraryImport(Name)]
    public static partial nint ZSTD_getErrorName(nuint code);

    [LibraryImport(Name)]
    public static partial nint ZSTD_createCCtx();

    [LibraryImport(Name)]
    public static partial nuint ZSTD_freeCCtx(nint cctx);

    [LibraryImport(Name)]
    public static partial nuint ZSTD_CCtx_setParameter(nint cctx, int param, int value);

    [LibraryImport(Name)]
    public static partial nuint ZSTD_CCtx_refCDict(nint cctx, nint cdict);

    [LibraryImport(Name)]
    public static partial nuint ZSTD_compress2(nint cctx, byte* dst, nuint dstCapacity, byte* src, nuint srcSize);

    [LibraryImport(Name)]
    public static partial nint ZSTD_createDCtx();

    [LibraryImport(Name)]
    public static partial nuint ZSTD_freeDCtx(nint dctx);

    [LibraryImport(Name)]
    public static partial nuint ZSTD_sizeof_DCtx(nint dctx);

    [LibraryImport(Name)]
    public static partial nuint ZSTD_DCtx_refDDict(nint dctx, nint ddict);

    [LibraryImport(Name)]
    public static partial nuint ZSTD_decompressDCtx(nint dctx, byte* dst, nuint dstCapacity, byte* src, nuint srcSize);

    [LibraryImport(Name)]
    public static partial nint ZSTD_createCDict(byte* dict, nuint dictSize, int compressionLevel);

    [LibraryImport(Name)]
    public static partial nuint ZSTD_freeCDict(nint cdict);

    [LibraryImport(Name)]
    public static partial nint ZSTD_createDDict(byte* dict, nuint dictSize);

    [LibraryImport(Name)]
    public static partial nuint ZSTD_freeDDict(nint ddict);

    [LibraryImport(Name)]
    public static partial nuint ZSTD_sizeof_DDict(nint ddict);

    [LibraryImport(Name)]
    public static partial nuint ZDICT_trainFromBuffer(byte* dictBuffer, nuint dictBufferCapacity, byte* samplesBuffer, nuint* samplesSizes, uint nbSamples);

    [LibraryImport(Name)]
    public static partial uint ZDICT_isError(nuint code);

    [LibraryImport(Name)]
    public static partial nint ZDICT_getErrorName(nuint code);
}
