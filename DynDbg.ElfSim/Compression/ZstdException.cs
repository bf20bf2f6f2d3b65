namespace DynDbg.ElfSim.Compression;

/// <summary>libzstd is missing or returned an error; the message is one line (the call and libzstd's error name).</summary>
public sealed class ZstdException(string message) : Exception(message);
