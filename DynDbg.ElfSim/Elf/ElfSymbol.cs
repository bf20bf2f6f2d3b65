namespace DynDbg.ElfSim.Elf;

/// <summary>
/// One symbol-table entry. <see cref="SectionIndex"/> is already resolved through SHT_SYMTAB_SHNDX when st_shndx
/// is SHN_XINDEX, so callers never see the escape value.
/// </summary>
public readonly record struct ElfSymbol(
    uint NameOffset,
    ulong Value,
    ulong Size,
    byte Info,
    byte Other,
    uint SectionIndex)
{
    public byte Type => (byte)(Info & 0xf);
    public byte Binding => (byte)(Info >> 4);
    public bool IsUndefined => SectionIndex == ElfConstants.ShnUndef;
    public bool IsAbsolute => SectionIndex == ElfConstants.ShnAbs;
    public bool IsCommon => SectionIndex == ElfConstants.ShnCommon;

    /// <summary>True when st_shndx names a real section (not UNDEF/ABS/COMMON or other reserved values).</summary>
    public bool IsInSection => SectionIndex != ElfConstants.ShnUndef &&
                               (SectionIndex < ElfConstants.ShnLoReserve || SectionIndex > 0xffff);
}
