using DynDbg.ElfSim.DynDbg;

namespace DynDbg.ElfSim.Control;

/// <summary>One loaded input as <c>control --format json</c> lists it: how it was added, its records, its tables in add order.</summary>
public sealed record ControlImageSummary(ImageKind Kind, int Records, IReadOnlyList<string> Tables)
{
    /// <summary>The summary of <paramref name="image"/>, whose load took the table list from <paramref name="tablesBefore"/> entries on.</summary>
    public static ControlImageSummary Of(KernelImage image, DyndbgControl control, int tablesBefore) =>
        new(image.Kind, image.Records.Count, control.TablesAddedSince(tablesBefore).Select(t => t.ModName).ToArray());
}
