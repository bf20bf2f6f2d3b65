using DynDbg.ElfSim.Elf;

namespace DynDbg.ElfSim.Linking;

/// <summary>The linking entry point: <c>ld -r -T SCRIPT</c> emulation over open inputs.</summary>
public static class Linker
{
    public static LinkResult Link(LinkerScript script, IReadOnlyList<(string Name, ElfFile File)> inputs, LinkOptions? options = null) =>
        LinkEngine.Link(script, inputs, options ?? new LinkOptions());
}
