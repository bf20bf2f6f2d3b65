namespace DynDbg.ElfSim.Linking;

/// <summary>The relocations of one output section, stably sorted by offset as GNU ld sorts them
/// (bfd/elflink.c <c>elf_link_adjust_relocs</c>).</summary>
public sealed record OutputRelocationTable(OutputSection Target, bool IsRela, OutputRelocation[] Entries);
