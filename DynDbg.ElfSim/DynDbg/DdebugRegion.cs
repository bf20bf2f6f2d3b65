using DynDbg.ElfSim.Elf;

namespace DynDbg.ElfSim.DynDbg;

/// <summary>
/// Where the callsite array lives: a byte range of one section. In a relocatable object it is the whole
/// <c>__dyndbg</c> section; in a linked image it is <c>__start___dyndbg .. __stop___dyndbg</c> inside the output
/// section that holds it (<c>.data</c> in vmlinux).
/// </summary>
public sealed record DdebugRegion(ElfSection Section, ulong Start, ulong Size, string Origin)
{
    public ulong FileOffset => Section.Offset + Start;
    public ulong Address => Section.Address + Start;
}
