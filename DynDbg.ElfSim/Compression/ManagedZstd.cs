using ZstdSharp;
using ZstdSharp.Unsafe;

namespace DynDbg.ElfSim.Compression;

/// <summary>
/// <see cref="IZstd"/> over ZstdSharp.Port: a C# port of the zstd C sources (<c>ZstdSharp.Unsafe.Methods</c> has
/// the same functions as zstd.h), so no native library is needed. Training goes through its
/// <see cref="DictBuilder"/> (its <c>ZDICT_trainFromBuffer</c>). No reflection: native-AOT safe.
/// </summary>
internal sealed unsafe class ManagedZstd : IZstd
{
    public const string PackageName = "ZstdSharp.Port";

    private ManagedZstd()
    {
        var v = Methods.ZSTD_versionNumber();
        Version = $"{v / 10000}.{v / 100 % 100}.{v % 100}";
        // The assembly version is the package's (0.8.8.0); AOT keeps assembly names, not arbitrary attributes.
        PackageVersion = typeof(Compressor).Assembly.GetName().Version is { } a ? $"{a.Major}.{a.Minor}.{a.Build}" : "?";
    }

    public static ManagedZstd Instance { get; } = new();

    public ZstdChoice Kind => ZstdChoice.Managed;

    public string Library => PackageName;

    public string Version { get; }

    /// <summary>ZstdSharp.Port's own version, e.g. <c>0.8.8</c>.</summary>
    public string PackageVersion { get; }

    public string Description => $"{PackageName} {PackageVersion} (zstd {Version}, managed)";

    public nuint CompressBound(nuint size) => Methods.ZSTD_compressBound(size);

    public bool IsError(nuint code) => Methods.ZSTD_isError(code);

    public string ErrorName(nuint code) => Methods.ZSTD_getErrorName(code);

    public nint CreateCCtx() => (nint)Methods.ZSTD_createCCtx();

    public void FreeCCtx(nint cctx) => Methods.ZSTD_freeCCtx((ZSTD_CCtx_s*)cctx);

    public nuint CCtxSetParameter(nint cctx, int parameter, int value) =>
        Methods.ZSTD_CCtx_setParameter((ZSTD_CCtx_s*)cctx, (ZSTD_cParameter)parameter, value);

    public nuint CCtxRefCDict(nint cctx, nint cdict) => Methods.ZSTD_CCtx_refCDict((ZSTD_CCtx_s*)cctx, (ZSTD_CDict_s*)cdict);

    public nuint Compress2(nint cctx, Span<byte> destination, ReadOnlySpan<byte> source)
    {
        fixed (byte* dst = destination)
        fixed (byte* src = source)
        {
            return Methods.ZSTD_compress2((ZSTD_CCtx_s*)cctx, dst, (nuint)destination.Length, src, (nuint)source.Length);
        }
    }

    public nint CreateDCtx() => (nint)Methods.ZSTD_createDCtx();

    public void FreeDCtx(nint dctx) => Methods.ZSTD_freeDCtx((ZSTD_DCtx_s*)dctx);

    public nuint SizeofDCtx(nint dctx) => Methods.ZSTD_sizeof_DCtx((ZSTD_DCtx_s*)dctx);

    public nuint DCtxRefDDict(nint dctx, nint ddict) => Methods.ZSTD_DCtx_refDDict((ZSTD_DCtx_s*)dctx, (ZSTD_DDict_s*)ddict);

    public nuint DecompressDCtx(nint dctx, Span<byte> destination, ReadOnlySpan<byte> frame)
    {
        fixed (byte* dst = destination)
        fixed (byte* src = frame)
        {
            return Methods.ZSTD_decompressDCtx((ZSTD_DCtx_s*)dctx, dst, (nuint)destination.Length, src, (nuint)frame.Length);
        }
    }

    public nint CreateCDict(ReadOnlySpan<byte> dictionary, int level)
    {
        fixed (byte* d = dictionary)
        {
            return (nint)Methods.ZSTD_createCDict(d, (nuint)dictionary.Length, level);
        }
    }

    public void FreeCDict(nint cdict) => Methods.ZSTD_freeCDict((ZSTD_CDict_s*)cdict);

    public nint CreateDDict(ReadOnlySpan<byte> dictionary)
    {
        fixed (byte* d = dictionary)
        {
            return (nint)Methods.ZSTD_createDDict(d, (nuint)dictionary.Length);
        }
    }

    public void FreeDDict(nint ddict) => Methods.ZSTD_freeDDict((ZSTD_DDict_s*)ddict);

    public nuint SizeofDDict(nint ddict) => Methods.ZSTD_sizeof_DDict((ZSTD_DDict_s*)ddict);

    public byte[]? TrainFromBuffer(ReadOnlySpan<byte> samples, ReadOnlySpan<int> sampleSizes, int capacity, out string? error)
    {
        // DictBuilder takes one array per sample and concatenates them again: the same buffer ZDICT sees in C.
        var pieces = new byte[sampleSizes.Length][];
        var at = 0;
        for (var i = 0; i < pieces.Length; i++)
        {
            pieces[i] = samples.Slice(at, sampleSizes[i]).ToArray();
            at += sampleSizes[i];
        }

        try
        {
            error = null;
            return DictBuilder.TrainFromBuffer(pieces, capacity);
        }
        catch (ZstdSharp.ZstdException e)
        {
            error = $"ZDICT_trainFromBuffer: {e.Message}";
            return null;
        }
    }
}
