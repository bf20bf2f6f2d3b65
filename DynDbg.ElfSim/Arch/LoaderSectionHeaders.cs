using DynDbg.ElfSim.Elf;

namespace DynDbg.ElfSim.Arch;

/// <summary>
/// The loader's writable copy of the section headers (<c>info-&gt;sechdrs</c> in 6.1 kernel/module/main.c): what
/// <c>rewrite_section_headers</c>, <c>module_frob_arch_sections</c> and <c>layout_and_allocate</c> change before
/// <c>layout_sections</c> reads sh_flags, sh_size and sh_addralign. The file itself is never written.
/// </summary>
public sealed class LoaderSectionHeaders
{
    public LoaderSectionHeaders(IReadOnlyList<ElfSection> sections)
    {
        Sections = sections;
        Flags = sections.Select(s => s.Flags).ToArray();
        Size = sections.Select(s => s.Size).ToArray();
        AddrAlign = sections.Select(s => s.AddrAlign).ToArray();
        NoBits = sections.Select(s => s.IsNoBits).ToArray();
    }

    /// <summary>The headers as read from the file.</summary>
    public IReadOnlyList<ElfSection> Sections { get; }

    public ulong[] Flags { get; }
    public ulong[] Size { get; }
    public ulong[] AddrAlign { get; }

    /// <summary>sh_type == SHT_NOBITS: <c>move_module</c> copies nothing, the memory stays zero.</summary>
    public bool[] NoBits { get; }

    public int Count => Sections.Count;

    /// <summary>
    /// <c>core_layout.size</c> when <c>layout_sections</c> starts: 0, or what <c>module_frob_arch_sections</c>
    /// reserved at the start of the core (s390's GOT and PLT).
    /// </summary>
    public ulong CoreSize { get; set; }

    /// <summary>The first section with this name, by plain <c>strcmp</c> over all headers (0 if none).</summary>
    public int Named(string name)
    {
        for (var i = 0; i < Sections.Count; i++)
        {
            if (Sections[i].Name == name)
            {
                return i;
            }
        }

        return 0;
    }
}
