namespace DynDbg.ElfSim.Elf;

/// <summary>
/// A section of an <see cref="ElfWriter"/>. Links to other sections are references, turned into indices when the
/// file is written, so sections can be added in any order. Symbol and relocation tables are made by the writer.
/// </summary>
public sealed class ElfWriterSection
{
    internal ElfWriterSection(string name, uint type, ulong flags, ElfContent? content, ulong size)
    {
        Name = name;
        Type = type;
        Flags = flags;
        Content = content;
        _size = size;
    }

    public string Name { get; }
    public uint Type { get; }
    public ulong Flags { get; set; }
    public ulong Address { get; set; }
    public ulong AddrAlign { get; set; } = 1;
    public ulong EntSize { get; set; }

    /// <summary>The contents; null for SHT_NOBITS (and for empty sections).</summary>
    public ElfContent? Content { get; }

    private readonly ulong _size;

    /// <summary>sh_size: the content's length (read when the file is written, so a content may still grow while
    /// sections and symbols are added), or the memory size of an SHT_NOBITS section.</summary>
    public ulong Size => Content?.Length ?? _size;

    /// <summary>sh_link as a section (e.g. SHF_LINK_ORDER's linked-to section); null for 0.</summary>
    public ElfWriterSection? Link { get; set; }

    /// <summary>sh_info as a section (SHF_INFO_LINK); when null, <see cref="Info"/> is written as is.</summary>
    public ElfWriterSection? InfoSection { get; set; }

    public uint Info { get; set; }

    /// <summary>sh_link is the symbol table the writer makes (SHT_GROUP).</summary>
    public bool LinksSymbolTable { get; set; }

    /// <summary>sh_info is this symbol's index in the written table (SHT_GROUP's signature), as an ordinal of the
    /// symbols given to the writer (1 is the first); 0 when unused.</summary>
    public int InfoSymbol { get; set; }

    /// <summary>sh_flags bits the writer adds to this section's relocation tables besides SHF_INFO_LINK (SHF_GROUP
    /// for a group member's).</summary>
    public ulong RelocationFlags { get; set; }

    /// <summary>The index of this section's (first) relocation table in the written file; -1 when it has none.</summary>
    public int RelocationIndex { get; internal set; } = -1;

    /// <summary>The section index in the written file (valid once <see cref="ElfWriter"/> has laid it out).</summary>
    public int Index { get; internal set; } = -1;
}
