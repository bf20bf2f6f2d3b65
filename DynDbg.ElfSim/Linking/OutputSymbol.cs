using DynDbg.ElfSim.Elf;

namespace DynDbg.ElfSim.Linking;

/// <summary>
/// A symbol of the output's .symtab, in order. <see cref="Section"/> is the output section it is defined in (value
/// relative to it, as in every relocatable object); when null, <see cref="SpecialIndex"/> is SHN_UNDEF, SHN_ABS
/// or SHN_COMMON. Section symbols have an empty name; a local copied from an input keeps its name where it is
/// (<see cref="Label"/>).
/// </summary>
public readonly record struct OutputSymbol(SymbolName Label, ulong Value, ulong Size, byte Binding, byte Type, byte Other,
    OutputSection? Section, ushort SpecialIndex)
{
    /// <summary>The name as a string: decoded now for a local copied from an input (<see cref="SymbolName"/>).</summary>
    public string Name => Label.ToString();
}
