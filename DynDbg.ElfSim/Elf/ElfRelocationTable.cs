namespace DynDbg.ElfSim.Elf;

/// <summary>A decoded SHT_REL/SHT_RELA section: its entries, the section they patch and the symbols they use.</summary>
public sealed class ElfRelocationTable(ElfSection section, ElfSection target, ElfSymbolTable symbols, ElfRelocation[] entries)
{
    public ElfSection Section { get; } = section;
    public ElfSection Target { get; } = target;
    public ElfSymbolTable Symbols { get; } = symbols;
    public bool IsRela => Section.Type == ElfConstants.ShtRela;
    public ReadOnlySpan<ElfRelocation> Entries => entries;
    public int Count => entries.Length;
}
