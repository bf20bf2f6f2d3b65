namespace DynDbg.ElfSim.Compression;

/// <summary>
/// Picks the zstd implementation once per choice: the system's libzstd where it loads (the kernel runs C zstd, so
/// the C library's frames are the reference), else ZstdSharp.Port, so no zstd store is ever skipped.
/// </summary>
public static class ZstdSelection
{
    /// <summary>What <see cref="ZstdChoice.Auto"/> gives in this process.</summary>
    public static IZstd Default => Choose(ZstdChoice.Auto, ZstdLibrary.Problem, out _)!;

    public static IZstd Managed => ManagedZstd.Instance;

    /// <summary>The implementation for <paramref name="choice"/>, or null and why (CMP001) when it cannot be had.</summary>
    public static IZstd? Select(ZstdChoice choice, out string? problem) => Choose(choice, ZstdLibrary.Problem, out problem);

    /// <summary>
    /// The rule, given why the system library is unusable (null: it loaded). Auto never fails; System fails
    /// without the library; Managed never looks at it.
    /// </summary>
    public static IZstd? Choose(ZstdChoice choice, string? systemProblem, out string? problem)
    {
        problem = null;
        return choice switch
        {
            ZstdChoice.Managed => ManagedZstd.Instance,
            _ when systemProblem is null => SystemZstd.Instance,
            ZstdChoice.Auto => ManagedZstd.Instance,
            _ => Fail(systemProblem, out problem),
        };
    }

    private static IZstd? Fail(string systemProblem, out string problem)
    {
        problem = $"{systemProblem}; --zstd managed (or auto) uses {ManagedZstd.PackageName} instead";
        return null;
    }
}
