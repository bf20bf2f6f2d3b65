using DynDbg.ElfSim.Elf;

namespace DynDbg.ElfSim.Linking;

/// <summary>
/// A section of the linked output: BFD-style flags accumulated from its inputs, the ELF type and OS/processor flags
/// copied from its first input (as bfd/elf.c <c>_bfd_elf_init_private_section_data</c> does in a relocatable link),
/// alignment, address and size. Its contents are the input sections, padding and data statements of its output
/// section statement, in order.
/// </summary>
public sealed class OutputSection
{
    internal OutputSection(string name, SectionFlags flags, uint initialType)
    {
        Name = name;
        Flags = flags;
        ElfType = initialType;
    }

    public string Name { get; }
    public SectionFlags Flags { get; internal set; }

    /// <summary>sh_type as copied from the first input (0 until then, or when the flags differ).</summary>
    public uint ElfType { get; internal set; }

    /// <summary>The OS- and processor-specific sh_flags bits and SHF_LINK_ORDER, from the first input.</summary>
    public ulong ExtraElfFlags { get; internal set; }

    /// <summary>For SHF_LINK_ORDER: the section the first input was linked to.</summary>
    public InputSection? LinkedTo { get; internal set; }

    public int AlignmentPower { get; internal set; }
    public ulong Address { get; internal set; }
    public ulong Size { get; internal set; }

    /// <summary>Contents <c>bfd_elf_final_link</c> writes in place of the input sections': the merged build attributes
    /// (<see cref="ObjectAttributes"/>). <see cref="Size"/> is then their length.</summary>
    internal byte[]? MergedContents { get; set; }

    /// <summary>What <see cref="MergedContents"/> holds, for <c>explain</c>; null for merged build attributes.</summary>
    internal string? MergedNote { get; set; }

    /// <summary>MIPS: bfd's SEC_FIXED_SIZE size (.MIPS.abiflags, .reginfo: <c>_bfd_mips_elf_always_size_sections</c>):
    /// lang_size_sections lays the inputs out but leaves the section this size.</summary>
    internal ulong? FixedSize { get; set; }

    private static long s_created;

    /// <summary>Creation order (bfd_get_section_by_name finds the first section made under a name, wherever it sits
    /// in the list).</summary>
    internal long Created { get; } = Interlocked.Increment(ref s_created);

    /// <summary>For a .group output section, the input group it writes; for a group member's, its group. Unique
    /// output sections, so one each.</summary>
    internal InputGroup? Group { get; set; }

    /// <summary>A .group output section's sh_info: the signature as a symbol ordinal (a local or a section symbol),
    /// or the global whose output index it is.</summary>
    internal int SignatureOrdinal { get; set; }

    internal LinkSymbol? SignatureGlobal { get; set; }

    /// <summary>Not written though the map shows it: a .group <see cref="GroupFixup"/> emptied, or an attributes
    /// section with nothing to write, which bfd takes off the output's section list (symbols defined in it are not
    /// output either).</summary>
    internal bool Removed => RemovedBy is not null;

    /// <summary>Why bfd took the section off its list (the bfd function), for the refusal of anything that refers to it.</summary>
    internal string? RemovedBy { get; set; }

    /// <summary>sh_entsize of SHF_MERGE sections (kept only while every input agrees).</summary>
    public ulong EntSize { get; internal set; }

    /// <summary>The section the ELF writer emits for this one (<see cref="LinkedElf.Build"/>): symbols and relocation
    /// tables reach it directly, not through a lookup per symbol.</summary>
    internal Elf.ElfWriterSection? Written { get; set; }

    /// <summary>ld's linker_has_input: an input section has been added.</summary>
    internal bool HasInput { get; set; }

    /// <summary>ld/ldwrite.c <c>build_link_order</c>: only an output section with contents (or loaded TLS) gets
    /// link orders; any other is written as zeros, whatever its inputs hold, and gets no relocations.</summary>
    internal bool HasLinkOrders => !LinkOrdersDropped && (
        (Flags & SectionFlags.HasContents) != 0 ||
        (Flags & (SectionFlags.Load | SectionFlags.ThreadLocal)) == (SectionFlags.Load | SectionFlags.ThreadLocal));

    /// <summary>bfd_elf_final_link set the link orders to NULL (an attributes section, <c>LinkEngine.MergeObjectAttributes</c>):
    /// an input met only here is never processed, so none of its local symbols are written.</summary>
    internal bool LinkOrdersDropped { get; set; }

    /// <summary>The output section statement it belongs to.</summary>
    internal OutputStatement Statement { get; set; } = null!;

    /// <summary>The input sections in output order.</summary>
    public IReadOnlyList<InputSection> Inputs => Statement.InputSectionsInOrder().ToList();

    /// <summary>sh_type as it will be written (bfd/elf.c <c>elf_fake_sections</c>).</summary>
    public uint WrittenType
    {
        get
        {
            var computed = (Flags & SectionFlags.Alloc) != 0 && (Flags & (SectionFlags.Load | SectionFlags.HasContents)) == 0
                ? ElfConstants.ShtNobits
                : ElfConstants.ShtProgbits;
            if (ElfType == 0)
            {
                return computed;
            }

            return ElfType == ElfConstants.ShtNobits && computed == ElfConstants.ShtProgbits && (Flags & SectionFlags.Alloc) != 0
                ? ElfConstants.ShtProgbits
                : ElfType;
        }
    }

    /// <summary>sh_flags as it will be written.</summary>
    public ulong WrittenFlags
    {
        get
        {
            var f = ExtraElfFlags;
            if ((Flags & SectionFlags.Alloc) != 0)
            {
                f |= ElfConstants.ShfAlloc;
            }

            if ((Flags & SectionFlags.ReadOnly) == 0)
            {
                f |= ElfConstants.ShfWrite;
            }

            if ((Flags & SectionFlags.Code) != 0)
            {
                f |= ElfConstants.ShfExecInstr;
            }

            if ((Flags & SectionFlags.Merge) != 0)
            {
                f |= ElfConstants.ShfMerge;
            }

            if ((Flags & SectionFlags.Strings) != 0)
            {
                f |= ElfConstants.ShfStrings;
            }

            if ((Flags & SectionFlags.ThreadLocal) != 0)
            {
                f |= ElfConstants.ShfTls;
            }

            if ((Flags & SectionFlags.Exclude) != 0)
            {
                f |= ElfConstants.ShfExclude;
            }

            return f;
        }
    }

    /// <summary>sh_addr: elf_fake_sections writes the vma of allocated sections and of those whose address was set,
    /// which in a link is every section lang_size_sections placed (bfd_set_section_vma sets user_set_vma).</summary>
    public ulong WrittenAddress => Address;

    /// <summary>sh_addralign: the highest power of two consistent with both the alignment and the address, as
    /// GNU ld 2.35+ lowers it for sections a script placed at an unaligned address.</summary>
    public ulong WrittenAlignment
    {
        get
        {
            var mask = (1UL << AlignmentPower) | WrittenAddress;
            return mask & (~mask + 1);
        }
    }

    /// <summary>sh_entsize as it will be written: the merge entity size, else a pointer for the array types.</summary>
    public ulong WrittenEntSize(int pointerSize, ElfMachine machine) =>
        // elfxx-mips.c _bfd_mips_elf_fake_sections, by the output section's name, runs after elf_fake_sections and
        // overrides it (a .MIPS.options that holds .init_array gets 1; a .text that holds .MIPS.options keeps 0).
        machine == ElfMachine.Mips && MipsSectionNames.EntSize(Name) is { } mips ? mips
        : (Flags & SectionFlags.Merge) != 0 ? EntSize
        : WrittenType == ElfConstants.ShtGroup ? 4UL // bfd/elf.c elf_fake_sections: GRP_ENTRY_SIZE
        : WrittenType is ElfConstants.ShtInitArray or ElfConstants.ShtFiniArray or ElfConstants.ShtPreinitArray ? (ulong)pointerSize
        : 0UL;

    public override string ToString() => Name;
}
