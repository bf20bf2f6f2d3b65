namespace DynDbg.ElfSim.Elf;

/// <summary>
/// A relocation to write. <see cref="Symbol"/> is the ordinal <see cref="ElfWriter.AddSymbol"/> returned (0 for
/// no symbol). <see cref="Addend"/> is written only to SHT_RELA tables. MIPS64 entries carry up to three types.
/// </summary>
public readonly record struct ElfWriterRelocation(ulong Offset, int Symbol, uint Type, long Addend = 0,
    byte Type2 = 0, byte Type3 = 0);
