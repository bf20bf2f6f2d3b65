namespace DynDbg.ElfSim.Linking;

/// <summary>
/// A relocation of the output: offset in its output section, type (MIPS64 entries carry three), the index of its
/// symbol in <see cref="LinkResult.Symbols"/> plus one (0 for none, as in r_info), and the addend (RELA only; REL
/// addends are in the section contents).
/// </summary>
public readonly record struct OutputRelocation(ulong Offset, int Symbol, uint Type, long Addend, byte Type2 = 0, byte Type3 = 0);
