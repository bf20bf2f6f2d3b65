namespace DynDbg.ElfSim.Elf;

/// <summary>
/// One relocation. MIPS64 packs up to three types per entry (r_type, r_type2, r_type3); other machines use only
/// <see cref="Type"/>. <see cref="Addend"/> is r_addend for RELA; for REL it is 0 and
/// <see cref="HasExplicitAddend"/> is false: the addend is the value at the place (read by the consumer, because
/// only it knows the relocation's width).
/// </summary>
public readonly record struct ElfRelocation(
    ulong Offset,
    uint SymbolIndex,
    uint Type,
    long Addend,
    bool HasExplicitAddend,
    byte Type2 = 0,
    byte Type3 = 0);
