namespace DynDbg.ElfSim.Elf;

/// <summary>The fields of the ELF file header that the tool uses, widened to 64 bits.</summary>
public readonly record struct ElfHeader(
    bool Is64,
    bool IsBigEndian,
    byte OsAbi,
    ushort Type,
    ElfMachine Machine,
    ulong Entry,
    ulong PhOff,
    ulong ShOff,
    uint Flags,
    ushort EhSize,
    ushort PhEntSize,
    ushort PhNum,
    ushort ShEntSize,
    ushort ShNum,
    ushort ShStrNdx)
{
    /// <summary>On-disk header sizes: 52 bytes for ELF32, 64 for ELF64.</summary>
    public const int Size32 = 52;
    public const int Size64 = 64;
    public const int EIdentSize = 16;

    public int PointerSize => Is64 ? 8 : 4;
    public int ExpectedShEntSize => Is64 ? 64 : 40;
    public int ExpectedPhEntSize => Is64 ? 56 : 32;
    public int ExpectedSymEntSize => Is64 ? 24 : 16;

    public string TypeName => Type switch
    {
        ElfConstants.EtRel => "REL (Relocatable file)",
        ElfConstants.EtExec => "EXEC (Executable file)",
        ElfConstants.EtDyn => "DYN (Shared object file)",
        _ => $"<unknown: {Type:x}>",
    };
}
