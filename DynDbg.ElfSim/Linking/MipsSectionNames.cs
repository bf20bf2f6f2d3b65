namespace DynDbg.ElfSim.Linking;

/// <summary>
/// bfd/elfxx-mips.c <c>_bfd_mips_elf_fake_sections</c> (non-IRIX targets): an output section's name decides its
/// MIPS type, entry size and extra flags, whatever its inputs were (a .debug_* section is SHT_MIPS_DWARF, a .text
/// holding .MIPS.options stays without sh_entsize).
/// </summary>
internal static class MipsSectionNames
{
    public const uint ShtMipsRegInfo = 0x70000006;
    public const uint ShtMipsOptions = 0x7000000d;
    public const uint ShtMipsAbiflags = 0x7000002a;
    public const ulong ShfMipsGpRel = 0x10000000;
    private const ulong ShfMipsNoStrip = 0x08000000;

    /// <summary>sh_type as written for a MIPS output section: its name's type, else the one elf_fake_sections gave.</summary>
    public static uint WrittenType(OutputSection o) => Type(o.Name) ?? o.WrittenType;

    public static uint? Type(string name) => name switch
    {
        ".liblist" => 0x70000000,            // SHT_MIPS_LIBLIST
        ".conflict" => 0x70000002,           // SHT_MIPS_CONFLICT
        ".ucode" => 0x70000004,              // SHT_MIPS_UCODE
        ".mdebug" => 0x70000005,             // SHT_MIPS_DEBUG
        ".reginfo" => ShtMipsRegInfo,
        ".MIPS.interfaces" => 0x7000000b,    // SHT_MIPS_IFACE
        ".MIPS.options" or ".options" => ShtMipsOptions,
        ".MIPS.symlib" => 0x70000020,        // SHT_MIPS_SYMBOL_LIB
        _ when name.StartsWith(".gptab.", StringComparison.Ordinal) => 0x70000003,          // SHT_MIPS_GPTAB
        _ when name.StartsWith(".MIPS.content", StringComparison.Ordinal) => 0x7000000c,    // SHT_MIPS_CONTENT
        _ when name.StartsWith(".MIPS.abiflags", StringComparison.Ordinal) => ShtMipsAbiflags,
        _ when name.StartsWith(".MIPS.events", StringComparison.Ordinal) ||
               name.StartsWith(".MIPS.post_rel", StringComparison.Ordinal) => 0x70000021,   // SHT_MIPS_EVENTS
        _ when name.StartsWith(".debug_", StringComparison.Ordinal) || name.StartsWith(".gnu.debuglto_.debug_", StringComparison.Ordinal) ||
               name.StartsWith(".zdebug_", StringComparison.Ordinal) || name.StartsWith(".gnu.debuglto_.zdebug_", StringComparison.Ordinal)
            => 0x7000001e,                                                                    // SHT_MIPS_DWARF
        _ => null,
    };

    public static ulong? EntSize(string name) => name switch
    {
        ".mdebug" or ".MIPS.options" or ".options" => 1,
        ".reginfo" => 24, // sizeof (Elf32_External_RegInfo)
        _ when name.StartsWith(".gptab.", StringComparison.Ordinal) => 8,
        _ when name.StartsWith(".MIPS.abiflags", StringComparison.Ordinal) => 24, // sizeof (Elf_External_ABIFlags_v0)
        _ => null,
    };

    public static ulong ExtraFlags(string name) => name switch
    {
        ".got" or ".srdata" or ".sdata" or ".sbss" or ".lit4" or ".lit8" => ShfMipsGpRel,
        ".MIPS.interfaces" or ".MIPS.options" or ".options" => ShfMipsNoStrip,
        _ when name.StartsWith(".MIPS.content", StringComparison.Ordinal) || name.StartsWith(".MIPS.events", StringComparison.Ordinal) ||
               name.StartsWith(".MIPS.post_rel", StringComparison.Ordinal) => ShfMipsNoStrip,
        _ => 0,
    };
}
