namespace DynDbg.ElfSim.Elf;

/// <summary>
/// One symbol-table entry. <see cref="SectionIndex"/> is already resolved through SHT_SYMTAB_SHNDX when st_shndx
/// is SHN_XINDEX, so callers never see the escape value; <see cref="Extended"/> says it was, because a section
/// index read that way may equal a reserved value (0xff00–0xffff: section 0xfff1 is not SHN_ABS).
/// </summary>
// Auto layout: 32 bytes instead of 40 (a million-symbol link keeps every input's table decoded).
[System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Auto)]
public readonly record struct ElfSymbol(
    uint NameOffset,
    ulong Value,
    ulong Size,
    byte Info,
    byte Other,
    uint SectionIndex,
    bool Extended = false)
{
    public byte Type => (byte)(Info & 0xf);
    public byte Binding => (byte)(Info >> 4);
    public bool IsUndefined => !Extended && SectionIndex == ElfConstants.ShnUndef;
    public bool IsAbsolute => !Extended && SectionIndex == ElfConstants.ShnAbs;
    public bool IsCommon => !Extended && SectionIndex == ElfConstants.ShnCommon;

    /// <summary>True when st_shndx names a real section (not UNDEF/ABS/COMMON or other reserved values).</summary>
    public bool IsInSection => Extended || (SectionIndex != ElfConstants.ShnUndef && SectionIndex < ElfConstants.ShnLoReserve);
}
