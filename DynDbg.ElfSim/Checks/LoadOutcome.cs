using DynDbg.ElfSim.Diagnostics;
using DynDbg.ElfSim.DynDbg;
using DynDbg.ElfSim.Elf;
using DynDbg.ElfSim.Loading;

namespace DynDbg.ElfSim.Checks;

/// <summary>
/// What <c>load</c> makes of one image. A mainline table is decoded and summarised as it is; a diet image goes
/// through the diet loader or built-in init (<see cref="Load"/>) and gets its static and post-load verdict
/// (<see cref="Findings"/>). <see cref="Refusal"/> is the one line of a load the kernel would refuse.
/// </summary>
public sealed record LoadOutcome(KernelImage Image, DietLoad? Load, IReadOnlyList<CheckFinding> Findings, string? Refusal)
{
    public bool Failed => Refusal is not null || Findings.Any(x => x.Severity == CheckSeverity.Error);

    /// <summary>
    /// Reads the image as <c>load</c> does: <paramref name="diet"/> names the variant of a diet image; a mainline
    /// table with it is a usage error, since <c>load</c> and <c>report</c> read diet images and do not transform
    /// mainline ones (<c>check --diet</c> does). <paramref name="lazy"/> as <see cref="ImageReader.Read"/>.
    /// </summary>
    public static KernelImage Read(ElfFile file, DdebugLayout? profile, DietVariant? diet, bool lazy = false)
    {
        var image = ImageReader.Read(file, profile, diet, lazy);
        if (image is MainlineImage && diet is not null)
        {
            throw new UsageException(UsageErrorIds.Usage, file.Path, "file", null,
                "not a diet image (no __dyndbg_sites); --diet reads diet images, it does not transform mainline tables");
        }

        return image;
    }

    /// <summary>
    /// Loads <paramref name="image"/> (read from <paramref name="file"/>, which must still be open).
    /// <paramref name="module"/> says an ET_REL is a module (true: e.g. several inputs linked with module.lds) or
    /// leaves it to the file (null). A diet image that this machine's bundled scripts cannot link for built-in
    /// init is a usage error (<see cref="DietLoader.CannotLoad"/>).
    /// </summary>
    public static LoadOutcome Of(ElfFile file, KernelImage image, bool? module, ulong? coreBase)
    {
        if (image is not DietImage d)
        {
            return new LoadOutcome(image, null, [], null);
        }

        if (!DietLoader.CanLoad(file, module))
        {
            throw DietLoader.CannotLoad(file);
        }

        var (load, findings) = FileCheck.Diet(file, d, module, coreBase);
        return new LoadOutcome(image, load, findings, load is null ? findings[^1].OneLine(file.Path) : null);
    }
}
