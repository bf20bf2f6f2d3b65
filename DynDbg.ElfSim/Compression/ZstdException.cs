namespace DynDbg.ElfSim.Compression;

/// <summary>zstd is missing or returned an error; the message is one line (the call and zstd's error name).</summary>
public sealed class ZstdException(string message) : Exception(message);
