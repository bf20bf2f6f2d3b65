namespace DynDbg.ElfSim.Elf;

/// <summary>
/// A symbol to write. <see cref="Section"/> is where it is defined; when null, <see cref="SpecialIndex"/> is the
/// st_shndx (SHN_UNDEF, SHN_ABS or SHN_COMMON). The writer puts local symbols before the others. A name read from an
/// input's symbol table goes into the string table as its bytes, never as a string.
/// </summary>
public readonly record struct ElfWriterSymbol(
    SymbolName Name,
    ulong Value,
    ulong Size,
    byte Binding,
    byte Type,
    ElfWriterSection? Section,
    ushort SpecialIndex = ElfConstants.ShnUndef,
    byte Other = 0);
