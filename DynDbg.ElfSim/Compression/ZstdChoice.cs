namespace DynDbg.ElfSim.Compression;

/// <summary><c>compress --zstd</c>: which zstd implementation runs the zstd stores.</summary>
public enum ZstdChoice
{
    /// <summary>The system's libzstd where it loads (the C code the kernel's zstd comes from), else the managed port.</summary>
    Auto,

    /// <summary>The system's libzstd; an error (CMP001) when it cannot be loaded.</summary>
    System,

    /// <summary>ZstdSharp.Port, the managed port: no native dependency.</summary>
    Managed,
}
