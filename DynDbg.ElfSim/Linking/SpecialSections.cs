using DynDbg.ElfSim.Elf;

namespace DynDbg.ElfSim.Linking;

/// <summary>
/// The ELF type and sh_flags BFD gives a new output section by its name (bfd/elf.c <c>special_sections</c> and the
/// x86-64 backend's), before any input arrives. An input replaces PROGBITS/NOTE/NOBITS and the flags, so these
/// matter for sections made only by assignments or data, and for the array types, which inputs do not replace.
/// </summary>
internal static class SpecialSections
{
    // prefix, suffix rule (0 exact, -1 prefix, -2 prefix then '.' or end, >0 suffix length), type, flags.
    private static readonly (string Prefix, int Suffix, uint Type, ulong Flags)[] X86_64 =
    [
        (".gnu.linkonce.lb", -2, ElfConstants.ShtNobits, A | W | Large),
        (".gnu.linkonce.lr", -2, ElfConstants.ShtProgbits, A | Large),
        (".gnu.linkonce.lt", -2, ElfConstants.ShtProgbits, A | X | Large),
        (".lbss", -2, ElfConstants.ShtNobits, A | W | Large),
        (".ldata", -2, ElfConstants.ShtProgbits, A | W | Large),
        (".lrodata", -2, ElfConstants.ShtProgbits, A | Large),
    ];

    private static readonly (string Prefix, int Suffix, uint Type, ulong Flags)[] Generic =
    [
        (".bss", -2, ElfConstants.ShtNobits, A | W),
        (".comment", 0, ElfConstants.ShtProgbits, 0), (".ctf", 0, ElfConstants.ShtProgbits, 0),
        (".data", -2, ElfConstants.ShtProgbits, A | W), (".data1", 0, ElfConstants.ShtProgbits, A | W),
        (".debug", 0, ElfConstants.ShtProgbits, 0), (".debug_line", 0, ElfConstants.ShtProgbits, 0),
        (".debug_info", 0, ElfConstants.ShtProgbits, 0), (".debug_abbrev", 0, ElfConstants.ShtProgbits, 0),
        (".debug_aranges", 0, ElfConstants.ShtProgbits, 0), (".dynamic", 0, 6, A), (".dynstr", 0, ElfConstants.ShtStrtab, A),
        (".dynsym", 0, ElfConstants.ShtDynsym, A),
        (".fini", 0, ElfConstants.ShtProgbits, A | X), (".fini_array", -2, ElfConstants.ShtFiniArray, A | W),
        (".gnu.linkonce.b", -2, ElfConstants.ShtNobits, A | W), (".gnu.linkonce.n", -2, ElfConstants.ShtNobits, A | W),
        (".gnu.linkonce.p", -2, ElfConstants.ShtProgbits, A | W), (".gnu.lto_", -1, ElfConstants.ShtProgbits, ElfConstants.ShfExclude),
        (".got", 0, ElfConstants.ShtProgbits, A | W), (".gnu.version", 0, 0x6fffffff, 0), (".gnu.version_d", 0, 0x6ffffffd, 0),
        (".gnu.version_r", 0, 0x6ffffffe, 0), (".gnu.liblist", 0, 0x6ffffff7, A), (".gnu.conflict", 0, ElfConstants.ShtRela, A),
        (".gnu.hash", 0, 0x6ffffff6, A),
        (".hash", 0, 5, A),
        (".init", 0, ElfConstants.ShtProgbits, A | X), (".init_array", -2, ElfConstants.ShtInitArray, A | W),
        (".interp", 0, ElfConstants.ShtProgbits, 0),
        (".line", 0, ElfConstants.ShtProgbits, 0),
        (".noinit", -2, ElfConstants.ShtNobits, A | W), (".note.GNU-stack", 0, ElfConstants.ShtProgbits, 0),
        (".note", -1, ElfConstants.ShtNote, 0),
        (".persistent.bss", 0, ElfConstants.ShtNobits, A | W), (".persistent", -2, ElfConstants.ShtProgbits, A | W),
        (".preinit_array", -2, ElfConstants.ShtPreinitArray, A | W), (".plt", 0, ElfConstants.ShtProgbits, A | X),
        (".rodata", -2, ElfConstants.ShtProgbits, A), (".rodata1", 0, ElfConstants.ShtProgbits, A), (".relr.dyn", 0, 19, A),
        (".rela", -1, ElfConstants.ShtRela, 0), (".rel", -1, ElfConstants.ShtRel, 0),
        (".shstrtab", 0, ElfConstants.ShtStrtab, 0), (".strtab", 0, ElfConstants.ShtStrtab, 0), (".symtab", 0, ElfConstants.ShtSymtab, 0),
        (".stabstr", 3, ElfConstants.ShtStrtab, 0),
        (".text", -2, ElfConstants.ShtProgbits, A | X), (".tbss", -2, ElfConstants.ShtNobits, A | W | ElfConstants.ShfTls),
        (".tdata", -2, ElfConstants.ShtProgbits, A | W | ElfConstants.ShfTls),
        (".zdebug_line", 0, ElfConstants.ShtProgbits, 0), (".zdebug_info", 0, ElfConstants.ShtProgbits, 0),
        (".zdebug_abbrev", 0, ElfConstants.ShtProgbits, 0), (".zdebug_aranges", 0, ElfConstants.ShtProgbits, 0),
    ];

    private const ulong A = ElfConstants.ShfAlloc;
    private const ulong W = ElfConstants.ShfWrite;
    private const ulong X = ElfConstants.ShfExecInstr;
    private const ulong Large = 0x10000000;

    /// <summary>bfd/elf.c <c>_bfd_elf_get_sec_type_attr</c>: backend table first, then the generic one.</summary>
    public static (uint Type, ulong Flags) Of(string name, ElfMachine machine)
    {
        var rela = machine is not (ElfMachine.I386 or ElfMachine.Arm);
        if (machine == ElfMachine.X86_64 && Find(X86_64, name, rela) is { } x)
        {
            return x;
        }

        return name.Length > 1 && name[0] == '.' && Find(Generic, name, rela) is { } g ? g : (0u, 0UL);
    }

    private static (uint, ulong)? Find((string Prefix, int Suffix, uint Type, ulong Flags)[] table, string name, bool rela)
    {
        foreach (var (prefix, suffix, type, flags) in table)
        {
            var prefixLength = suffix > 0 ? prefix.Length - suffix : prefix.Length;
            if (name.Length < prefixLength || string.CompareOrdinal(name, 0, prefix, 0, prefixLength) != 0)
            {
                continue;
            }

            if (suffix <= 0)
            {
                if (name.Length > prefixLength)
                {
                    if (suffix == 0)
                    {
                        continue;
                    }

                    if (name[prefixLength] != '.' && (suffix == -2 || (rela && type == ElfConstants.ShtRel)))
                    {
                        continue;
                    }
                }
            }
            else if (name.Length < prefixLength + suffix || !name.EndsWith(prefix[prefixLength..], StringComparison.Ordinal))
            {
                continue;
            }

            return (type, flags);
        }

        return null;
    }
}
