namespace DynDbg.ElfSim.Elf;

/// <summary>
/// The Elf layer's stable error IDs. Tests and scripts match on these, so an ID is never reused for another meaning.
/// ELFnnn: the file is not readable as ELF. DYN004/005/010/011: a pointer, BTF or read past a section that the
/// reader meets on behalf of the dyndbg decoder (numbered with the other DYN IDs, see
/// DynDbg.DyndbgErrorIds). Each layer above owns its own: DYN, LNK, CMP, USG.
/// </summary>
public static class ErrorIds
{
    public const string FileTooSmall = "ELF001";
    public const string BadMagic = "ELF002";
    public const string BadClass = "ELF003";
    public const string BadDataEncoding = "ELF004";
    public const string BadVersion = "ELF005";
    public const string BadHeaderSize = "ELF006";
    public const string BadSectionHeaderEntrySize = "ELF007";
    public const string SectionHeadersOutOfFile = "ELF008";
    public const string SectionNameTableIndex = "ELF009";
    public const string ExtendedNumbering = "ELF010";
    public const string SectionOutOfFile = "ELF011";
    public const string NameOutOfStringTable = "ELF012";
    public const string UnterminatedString = "ELF013";
    public const string NotAStringTable = "ELF014";
    public const string BadSymbolEntrySize = "ELF015";
    public const string TableSizeNotMultiple = "ELF016";
    public const string SymbolSectionIndex = "ELF017";
    public const string SymbolTableLink = "ELF018";
    public const string BadRelocationEntrySize = "ELF019";
    public const string RelocationSymbolIndex = "ELF021";
    public const string RelocationLink = "ELF022";
    public const string RelocationTarget = "ELF023";
    public const string RelocationOffset = "ELF024";
    public const string SymtabShndx = "ELF025";
    public const string OverlappingTables = "ELF026";
    public const string UnsupportedRelocation = "ELF027";
    public const string BadGroup = "ELF028";
    public const string ProgramHeadersOutOfFile = "ELF029";
    public const string BadProgramHeaderEntrySize = "ELF030";
    public const string UnreadableFile = "ELF031";
    public const string SymbolTableInfo = "ELF032";

    /// <summary>A 32-bit object whose sections, placed as a module, end past 4 GiB: no 32-bit address holds them.</summary>
    public const string AddressSpaceOverflow = "ELF033";

    public const string UnresolvedPointer = "DYN004";
    public const string PointerIntoNowhere = "DYN005";
    public const string BadBtf = "DYN010";
    public const string ReadPastSection = "DYN011";
}
