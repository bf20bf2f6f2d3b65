using DynDbg.ElfSim.Elf;

namespace DynDbg.ElfSim.DynDbg;

/// <summary>
/// The one place that tells a diet-plan image from a mainline one and decodes it (reference §4 for mainline
/// layouts, §6 for the diet plan's). A file with a <c>__dyndbg_sites</c> array is a diet image, whose variant
/// <c>--diet</c> names instead of deciding it; a mainline <c>--profile</c> applies to the others. A file without the
/// sites array is read as mainline even under <c>--diet</c>: the command decides what that means (check
/// transforms it, load and control refuse it).
/// </summary>
public static class ImageReader
{
    /// <param name="lazy">
    /// False (the default): the image keeps everything it read and outlives <paramref name="file"/>. True: a
    /// mainline image's records stay a view over the mapped file (no memory per record, issue 14), so the file
    /// must stay open while they are used.
    /// </param>
    public static KernelImage Read(ElfFile file, DdebugLayout? profile = null, DietVariant? diet = null, bool lazy = false)
    {
        var sites = DdebugRegionLocator.Find(file, DietLayout.SiteSection);
        return sites is not null ? DietImage.Read(file, sites, diet) : MainlineImage.Load(file, profile, lazy: lazy);
    }

    /// <summary>Reads a table that must be mainline: commands without a diet path (the compression study,
    /// <c>load --control</c>) name a diet image as the input they cannot read.</summary>
    public static MainlineImage ReadMainline(ElfFile file, DdebugLayout? profile = null, bool lazy = false) => Read(file, profile, lazy: lazy) switch
    {
        MainlineImage m => m,
        DietImage d => throw new DyndbgFormatException(DyndbgErrorIds.DietImage, file.Path, d.Descriptors.Origin, d.Descriptors.FileOffset,
            "a diet-plan image (it has __dyndbg_sites): the mainline decoder does not read it; use `check` for its invariants"),
        _ => throw new InvalidOperationException("closed hierarchy"),
    };
}
