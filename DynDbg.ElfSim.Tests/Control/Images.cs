using DynDbg.ElfSim.DynDbg;
using DynDbg.ElfSim.Elf;

namespace DynDbg.ElfSim.Tests.Control;

/// <summary>Decoded images for the control tests (the file is unmapped once its records are decoded).</summary>
internal static class Images
{
    public static MainlineImage Load(string path)
    {
        using var f = ElfFile.Open(path);
        return MainlineImage.Load(f);
    }

    public static MainlineImage Sample(string arch, string file) => Load(TestPaths.Sample(arch, file));
}
