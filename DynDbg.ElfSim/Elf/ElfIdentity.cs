namespace DynDbg.ElfSim.Elf;

/// <summary>
/// What an ELF file to be written is: class, byte order, machine, type and header flags. Taken from an input with
/// <see cref="Of(ElfHeader)"/> so an output matches what it was made from.
/// </summary>
public sealed record ElfIdentity(bool Is64, bool IsBigEndian, ElfMachine Machine, ushort Type = ElfConstants.EtRel,
    uint Flags = 0, byte OsAbi = 0)
{
    public static ElfIdentity Of(ElfHeader h) => new(h.Is64, h.IsBigEndian, h.Machine, h.Type, h.Flags, h.OsAbi);

    public int PointerSize => Is64 ? 8 : 4;

    /// <summary>MIPS64 stores r_info as r_sym, r_ssym, r_type3, r_type2, r_type (see <see cref="ElfFile.GetRelocations"/>).</summary>
    public bool IsMips64 => Is64 && Machine == ElfMachine.Mips;
}
