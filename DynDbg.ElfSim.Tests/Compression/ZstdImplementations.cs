using DynDbg.ElfSim.Compression;

namespace DynDbg.ElfSim.Tests.Compression;

/// <summary>Both zstd implementations by name, for fixtures and cases that run on each.</summary>
public static class ZstdImplementations
{
    public static readonly string[] Names = ["system", "managed"];

    /// <summary>The named implementation; "system" skips (fails under CI) when libzstd is not there.</summary>
    public static IZstd Get(string name)
    {
        var choice = name == "system" ? ZstdChoice.System : ZstdChoice.Managed;
        var zstd = ZstdSelection.Select(choice, out var problem);
        if (zstd is null)
        {
            Tools.Missing($"libzstd is not available ({problem}) (Debian: apt-get install libzstd1)");
        }

        return zstd;
    }

    public static IZstd System => Get("system");

    public static IZstd Managed => Get("managed");
}
