using System.Runtime.InteropServices;

namespace DynDbg.ElfSim.Compression;

/// <summary>
/// <see cref="IZstd"/> over the system's <c>libzstd.so.1</c> (<see cref="LibZstd"/>). Only made once
/// <see cref="ZstdLibrary"/> has loaded the library, so no call here can meet a missing library.
/// </summary>
internal sealed unsafe class SystemZstd : IZstd
{
    private static readonly Lazy<SystemZstd> Shared = new(() => new SystemZstd());

    private SystemZstd()
    {
        ZstdLibrary.Require();
        Version = ZstdLibrary.Version;
    }

    /// <summary>The one instance; a <see cref="ZstdException"/> when libzstd cannot be loaded.</summary>
    public static SystemZstd Instance => Shared.Value;

    public ZstdChoice Kind => ZstdChoice.System;

    public string Library => ZstdLibrary.LoadedName;

    public string Version { get; }

    public string Description => $"libzstd {Version} (system)";

    public nuint CompressBound(nuint size) => LibZstd.ZSTD_compressBound(size);

    public bool IsError(nuint code) => LibZstd.ZSTD_isError(code) != 0;

    public string ErrorName(nuint code) => Marshal.PtrToStringUTF8(LibZstd.ZSTD_getErrorName(code)) ?? "unknown error";

    public nint CreateCCtx() => LibZstd.ZSTD_createCCtx();

    public void FreeCCtx(nint cctx) => LibZstd.ZSTD_freeCCtx(cctx);

    public nuint CCtxSetParameter(nint cctx, int parameter, int value) => LibZstd.ZSTD_CCtx_setParameter(cctx, parameter, value);

    public nuint CCtxRefCDict(nint cctx, nint cdict) => LibZstd.ZSTD_CCtx_refCDict(cctx, cdict);

    public nuint Compress2(nint cctx, Span<byte> destination, ReadOnlySpan<byte> source)
    {
        fixed (byte* dst = destination)
        fixed (byte* src = source)
        {
            return LibZstd.ZSTD_compress2(cctx, dst, (nuint)destination.Length, src, (nuint)source.Length);
        }
    }

    public nint CreateDCtx() => LibZstd.ZSTD_createDCtx();

    public void FreeDCtx(nint dctx) => LibZstd.ZSTD_freeDCtx(dctx);

    public nuint SizeofDCtx(nint dctx) => LibZstd.ZSTD_sizeof_DCtx(dctx);

    public nuint DCtxRefDDict(nint dctx, nint ddict) => LibZstd.ZSTD_DCtx_refDDict(dctx, ddict);

    public nuint DecompressDCtx(nint dctx, Span<byte> destination, ReadOnlySpan<byte> frame)
    {
        fixed (byte* dst = destination)
        fixed (byte* src = frame)
        {
            return LibZstd.ZSTD_decompressDCtx(dctx, dst, (nuint)destination.Length, src, (nuint)frame.Length);
        }
    }

    public nint CreateCDict(ReadOnlySpan<byte> dictionary, int level)
    {
        fixed (byte* d = dictionary)
        {
            return LibZstd.ZSTD_createCDict(d, (nuint)dictionary.Length, level);
        }
    }

    public void FreeCDict(nint cdict) => LibZstd.ZSTD_freeCDict(cdict);

    public nint CreateDDict(ReadOnlySpan<byte> dictionary)
    {
        fixed (byte* d = dictionary)
        {
            return LibZstd.ZSTD_createDDict(d, (nuint)dictionary.Length);
        }
    }

    public void FreeDDict(nint ddict) => LibZstd.ZSTD_freeDDict(ddict);

    public nuint SizeofDDict(nint ddict) => LibZstd.ZSTD_sizeof_DDict(ddict);

    public byte[]? TrainFromBuffer(ReadOnlySpan<byte> samples, ReadOnlySpan<int> sampleSizes, int capacity, out string? error)
    {
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
            error = $"ZDICT_trainFromBuffer: {Marshal.PtrToStringUTF8(LibZstd.ZDICT_getErrorName(result))}";
            return null;
        }

        error = null;
        return dict[..(int)result];
    }
}
