using DynDbg.ElfSim.Elf;

namespace DynDbg.ElfSim.Linking;

/// <summary>The relocations of one output section, stably sorted by offset as GNU ld sorts them
/// (bfd/elflink.c <c>elf_link_adjust_relocs</c>). Each entry's symbol is its index in <see cref="LinkResult.Symbols"/>
/// plus one (0 for none, as in r_info), which is the ordinal the ELF writer gives it; REL addends are 0 here, as
/// they live in the section contents.</summary>
public sealed record OutputRelocationTable(OutputSection Target, bool IsRela, ElfWriterRelocation[] Entries);
