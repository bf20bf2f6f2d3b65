namespace DynDbg.ElfSim.Linking;

/// <summary>
/// A symbol of the output's .symtab, in order. <see cref="Section"/> is the output section it is defined in (value
/// relative to it, as in every relocatable object); when null, <see cref="SpecialIndex"/> is SHN_UNDEF, SHN_ABS
/// or SHN_COMMON. Section symbols have an empty name.
/// </summary>
public readonly record struct OutputSymbol(string Name, ulong Value, ulong Size, byte Binding, byte Type, byte Other,
    OutputSection? Section, ushort SpecialIndex);
