using DynDbg.ElfSim.Compression;
using DynDbg.ElfSim.DynDbg;
using DynDbg.ElfSim.Elf;
using DynDbg.ElfSim.Linking;

namespace DynDbg.ElfSim.Fuzz;

/// <summary>
/// The fixed half of the targets that fuzz one input against others: the x86_64 samples copied beside the
/// assembly (Inputs/), opened once per process; the bundled module.lds; the study's cheap options.
/// </summary>
internal static class FuzzInputs
{
    private static readonly string Dir = Path.Combine(AppContext.BaseDirectory, "Inputs");

    private static readonly Lazy<IReadOnlyList<(string Name, ElfFile File)>> Alpha = new(() =>
        new[] { "alpha_main.o", "alpha_util.o" }.Select(n => (n, ElfFile.Open(Path.Combine(Dir, n)))).ToArray());

    private static readonly Lazy<IReadOnlyList<KernelImage>> Control = new(() =>
        new[] { "vmlinux.o", "alpha.ko", "beta.ko" }.Select(n =>
        {
            using var f = ElfFile.Open(Path.Combine(Dir, n));
            return ImageReader.Read(f);
        }).ToArray());

    private static readonly Lazy<LinkerScript> Module = new(() => BundledScripts.Load(BundledScripts.Default));

    /// <summary>The linker script's partners: x86_64 alpha_main.o and alpha_util.o (never disposed).</summary>
    public static IReadOnlyList<(string Name, ElfFile File)> AlphaObjects => Alpha.Value;

    /// <summary>vmlinux.o (built in), alpha.ko and beta.ko: decoded once, read again by every control made.</summary>
    public static IReadOnlyList<KernelImage> ControlImages => Control.Value;

    /// <summary>linker/module.lds, the default script of <c>link</c>.</summary>
    public static LinkerScript ModuleScript => Module.Value;

    /// <summary>zstd level 1: the stores' round trip is under test, not zstd's effort; no timing.</summary>
    public static SiteStoreOptions CheapStores { get; } = new(ZstdLevel: 1);
}
