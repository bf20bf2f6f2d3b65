using DynDbg.ElfSim.Elf;

namespace DynDbg.ElfSim.Reports;

/// <summary>Short descriptions of ELF header facts shared by the text and JSON reports.</summary>
public static class FileFacts
{
    public static string Format(ElfHeader h) => $"ELF{(h.Is64 ? 64 : 32)} {(h.IsBigEndian ? "big" : "little")}-endian";

    /// <summary>llvm-readobj's "Format" string, e.g. <c>elf64-x86-64</c> style is target-specific; we give class and order.</summary>
    public static string FormatId(ElfHeader h) => $"elf{(h.Is64 ? 64 : 32)}-{(h.IsBigEndian ? "big" : "little")}";

    public static string TypeShort(ElfHeader h) => h.Type switch
    {
        ElfConstants.EtRel => "REL",
        ElfConstants.EtExec => "EXEC",
        ElfConstants.EtDyn => "DYN",
        _ => $"0x{h.Type:x}",
    };
}
