namespace DynDbg.ElfSim.Elf;

/// <summary>One section header, widened to 64 bits, with its name resolved.</summary>
public sealed record ElfSection(
    int Index,
    string Name,
    uint Type,
    ulong Flags,
    ulong Address,
    ulong Offset,
    ulong Size,
    uint Link,
    uint Info,
    ulong AddrAlign,
    ulong EntSize,
    ulong HeaderOffset)
{
    public bool IsAlloc => (Flags & ElfConstants.ShfAlloc) != 0;
    public bool IsNoBits => Type == ElfConstants.ShtNobits;
    public bool IsRelocation => Type is ElfConstants.ShtRel or ElfConstants.ShtRela;

    /// <summary>Bytes this section occupies in the file (0 for SHT_NOBITS).</summary>
    public ulong FileSize => IsNoBits ? 0 : Size;

    /// <summary>readelf -S style: <c>section [7] '__dyndbg'</c>.</summary>
    public string Describe() => $"section [{Index}] '{Name}'";
}
