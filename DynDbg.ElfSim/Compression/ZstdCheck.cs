namespace DynDbg.ElfSim.Compression;

/// <summary>Turns zstd's size_t error codes and NULL handles into one-line <see cref="ZstdException"/>s.</summary>
internal static class ZstdCheck
{
    /// <summary>The size or handle, or a <see cref="ZstdException"/> naming the call and zstd's error.</summary>
    public static nuint Check(this IZstd zstd, nuint code, string call) =>
        zstd.IsError(code) ? throw new ZstdException($"{call}: {zstd.ErrorName(code)}") : code;

    public static nint Created(nint handle, string call) =>
        handle != 0 ? handle : throw new ZstdException($"{call} returned NULL (out of memory)");
}
