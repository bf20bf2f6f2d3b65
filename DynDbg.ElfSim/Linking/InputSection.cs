using DynDbg.ElfSim.Elf;

namespace DynDbg.ElfSim.Linking;

/// <summary>
/// One section of an input object as the link sees it: its BFD-style flags, where it went (output section and
/// offset), and why (the script statement that matched it, or the orphan rule that placed it, or why it was
/// discarded).
/// </summary>
public sealed class InputSection
{
    internal InputSection(InputObject file, ElfSection elf, SectionFlags flags)
    {
        File = file;
        Elf = elf;
        Flags = flags;

        // bfd keeps log2 of the lowest set bit of sh_addralign (0 and 1 both mean byte alignment).
        var align = elf.AddrAlign & (~elf.AddrAlign + 1);
        AlignmentPower = align <= 1 ? 0 : System.Numerics.BitOperations.Log2(align);
    }

    public InputObject File { get; }
    public ElfSection Elf { get; }
    public string Name => Elf.Name;
    public ulong Size => Edit is { } edit ? edit.Size
        : (Replacement is { } r ? (ulong)r.Length : Elf.Size) + (CantUnwindAfter is null ? 0UL : 8UL);

    /// <summary>bfd's rawsize: the size before a backend changed it (the map's "(size before relaxing)"); 0 when unchanged.</summary>
    internal ulong RawSize => CantUnwindAfter is null && Edit is null ? 0 : Elf.Size;

    /// <summary>What ld's backend changed in this section's bytes or size, in a line for <c>explain</c>; null when
    /// it is copied as it is.</summary>
    public string? EditNote =>
        CantUnwindAfter is { } text
            ? $"EXIDX_CANTUNWIND appended after {text.File.Path}({text.Name}), the code before a section without unwind data " +
              $"(elf32_arm_fix_exidx_coverage; 0x{Elf.Size:x} -> 0x{Size:x}, one R_ARM_PREL31 more)"
            : Edit?.Describe()
              ?? (Output?.MergedContents is not null
                  ? Output.MergedNote ?? $"build attributes parsed and merged: {Output.Name} holds the merged set written without default values (bfd_elf_set_obj_attr_contents), not this copy"
                  : Group is { } g && !ReferenceEquals(g.Section, this) && Output is { } o && g.Section.Output is null
                      ? $"the script discards its group's .group [{g.Signature}]: {o.Name} is written without SHF_GROUP (_bfd_elf_fixup_group_sections)"
                      : null);

    /// <summary>A symbol value inside this section once backends edited it (.eh_frame entries moved).</summary>
    internal ulong SymbolValue(ulong value) => Edit?.AdjustSymbol(value) ?? value;

    /// <summary>Contents a backend rewrites (<see cref="EhFrameEdit"/>); null when copied as they are.</summary>
    internal SectionEdit? Edit { get; set; }

    /// <summary>ARM (<see cref="ArmLinkBackend.FixExidxCoverage"/>): for an .ARM.exidx section, the code section whose end
    /// the EXIDX_CANTUNWIND entry appended to it marks (8 bytes and one R_ARM_PREL31 more); null otherwise.</summary>
    internal InputSection? CantUnwindAfter { get; set; }

    /// <summary>Contents ld wrote in place of the file's (bfd caches them in the section's this_hdr.contents): the
    /// merged <c>.note.gnu.property</c>.</summary>
    internal byte[]? Replacement { get; set; }
    public SectionFlags Flags { get; internal set; }
    public int AlignmentPower { get; }
    public ulong Alignment => 1UL << AlignmentPower;
    public bool IsLinkOnce => (Flags & SectionFlags.LinkOnce) != 0;

    /// <summary>ld/ldwrite.c: a never-load section (not debugging) inside an output section that is written becomes a
    /// zero fill of its size: its bytes and relocations are not copied.</summary>
    internal bool IsNeverLoadFill => (Flags & (SectionFlags.NeverLoad | SectionFlags.Debugging)) == SectionFlags.NeverLoad;

    /// <summary>ld/ldwrite.c <c>build_link_order</c>: whether the section is copied into the output (its output section
    /// has contents). Only those are marked for bfd_elf_final_link, so only their relocations are written.</summary>
    internal bool HasLinkOrder => Output is { HasLinkOrders: true } && (Flags & SectionFlags.Exclude) == 0 && !IsNeverLoadFill;

    /// <summary>The output section it went to; null when discarded.</summary>
    public OutputSection? Output { get; internal set; }

    /// <summary>Offset inside <see cref="Output"/>.</summary>
    public ulong OutputOffset { get; internal set; }

    public DiscardReason Discarded { get; internal set; }

    /// <summary>For a discarded linkonce duplicate: the section of the same name that was kept.</summary>
    public InputSection? KeptInstead { get; internal set; }

    /// <summary>The section group it belongs to, or for a .group section the group it describes; null otherwise.
    /// In ld -r both are unique (ld/ldlang.c <c>unique_section_p</c>): no script pattern but /DISCARD/ takes
    /// them, and each becomes an output section of its own.</summary>
    internal InputGroup? Group { get; set; }

    /// <summary>The name as ld's messages print a section (bfd's %pA): a group member's with its group's signature,
    /// <c>.text.f[f]</c>.</summary>
    internal string MessageName => Group is { } g && !ReferenceEquals(g.Section, this) ? $"{Name}[{g.Signature}]" : Name;

    /// <summary>The input section description that placed (or discarded) it; null for orphans.</summary>
    public ScriptStatement.InputSections? PlacedBy { get; internal set; }

    /// <summary>For orphans: how ld's orphan placement chose the output section.</summary>
    public string? OrphanReason => Orphan?.ToString();

    /// <summary>The parts of <see cref="OrphanReason"/>, worded only when read.</summary>
    internal OrphanPlacement? Orphan { get; set; }

    /// <summary>A .ctors/.dtors section placed in .init_array/.fini_array: copied pointer by pointer in reverse
    /// (ld's SEC_ELF_REVERSE_COPY), its relocation offsets mirrored.</summary>
    public bool ReverseCopy { get; internal set; }

    /// <summary>For SHF_LINK_ORDER sections: the section sh_link names (bfd's elf_linked_to_section).</summary>
    public InputSection? LinkedTo { get; internal set; }

    /// <summary>The relocation tables (SHT_REL/SHT_RELA) that patch this section.</summary>
    internal List<ElfSection> RelocationSections { get; } = [];

    /// <summary>Set once the section was handed to an output section or discarded (ld's output_section != NULL).</summary>
    internal bool Assigned { get; set; }

    public override string ToString() => $"{File.Path}({Name})";
}
