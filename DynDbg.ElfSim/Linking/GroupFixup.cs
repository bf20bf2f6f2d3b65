using DynDbg.ElfSim.Elf;

namespace DynDbg.ElfSim.Linking;

/// <summary>
/// bfd/elf.c <c>_bfd_elf_fixup_group_sections</c>, which ld -r runs before sizing (<c>_bfd_elf_size_group_sections</c>
/// from the ELF emulations' before_allocation) when a script discards part of a section group:
/// <list type="bullet">
/// <item>a member is output but its .group is not: the member's output section loses SHF_GROUP and its group (so
/// its relocation table gets no SHF_GROUP from <c>bfd_elf_set_group_contents</c> either);</item>
/// <item>a member is discarded but its .group is output: the .group shrinks by 4 for the member and 4 for each of its
/// relocation tables that carries SHF_GROUP; at 4 bytes or less (the flag word alone) it becomes SEC_EXCLUDE with size
/// 0: the map still shows it, with its old size as "(size before relaxing)", and the output has no such section;</item>
/// <item>otherwise a member's relocation table of size 0 shrinks the group by 4 too.</item>
/// </list>
/// This is the size change, as a <see cref="SectionEdit"/> of the input .group; its contents are written by
/// <c>LinkedElf.GroupContent</c>, which skips the discarded members.
/// </summary>
internal sealed class GroupFixup : SectionEdit
{
    private GroupFixup(ulong rawSize, ulong removed)
    {
        RawSize = rawSize;
        Size = rawSize - removed <= 4 ? 0 : rawSize - removed;
    }

    public override ulong RawSize { get; }

    public override ulong Size { get; }

    public override string Describe() => Size == 0
        ? $"the script discards every member of this group: ld drops the .group (_bfd_elf_fixup_group_sections; 0x{RawSize:x} -> 0, SEC_EXCLUDE)"
        : $"the script discards part of this group: ld lists only the members it outputs (_bfd_elf_fixup_group_sections; 0x{RawSize:x} -> 0x{Size:x}, a word less per discarded member and per SHF_GROUP relocation table)";

    public override void Write(ReadOnlySpan<byte> input, Span<byte> output, bool bigEndian) =>
        input[..output.Length].CopyTo(output); // never reached: a .group's words are LinkedElf.GroupContent's

    /// <summary>A symbol or relocation that needs a .group this repair emptied (its output section is off bfd's list):
    /// only crafted inputs do that (gas defines nothing there but an undefined local signature); not emulated.</summary>
    public static LinkException EmptiedGroupUse(InputSection group, string what) =>
        new(LinkErrorIds.LinkUnsupportedInput, group.File.Path, group.Elf.Describe(), group.Elf.HeaderOffset,
            $"{what} lies in a .group the script emptied (_bfd_elf_fixup_group_sections drops it); what ld writes for it is not emulated");

    /// <summary>Runs the repair over every input group, after orphans are placed and before sizing.</summary>
    public static void Apply(LinkContext ctx)
    {
        foreach (var file in ctx.Inputs)
        {
            foreach (var isec in file.Sections)
            {
                if (isec.Group is { } g && ReferenceEquals(g.Section, isec))
                {
                    Fixup(isec, g);
                }
            }
        }
    }

    private static void Fixup(InputSection isec, InputGroup g)
    {
        var groupKept = isec.Output is not null;
        if (!groupKept && g.Chain.All(s => s.Output is null))
        {
            return; // a duplicate or wholly discarded group: what bfd counts changes the size of a section nobody writes
        }

        var removed = 0UL;
        var emptyTables = false;
        foreach (var s in g.Chain)
        {
            if (s.Output is { } o && !groupKept)
            {
                o.ExtraElfFlags &= ~ElfConstants.ShfGroup;
                o.Group = null;
            }
            else if (s.Output is null && groupKept)
            {
                removed += 4 + 4 * (ulong)s.RelocationSections.Count(r => (r.Flags & ElfConstants.ShfGroup) != 0);
            }
            else if (s.RelocationSections.Count(r => r.Size == 0) is var empty and > 0)
            {
                removed += 4 * (ulong)empty;
                emptyTables = true;
            }
        }

        if (removed == 0)
        {
            return;
        }

        if (emptyTables || removed > isec.Elf.Size)
        {
            // bfd counts an empty table whether or not the group lists it, and a crafted group can list fewer words
            // than bfd removes (the size wraps); neither has been compared with ld.
            throw new LinkException(LinkErrorIds.LinkUnsupportedInput, isec.File.Path, isec.Elf.Describe(), isec.Elf.HeaderOffset,
                $"group [{g.Signature}] {(emptyTables ? "has a member whose relocation table is empty" : $"lists {isec.Elf.Size / 4} words but bfd would remove {removed / 4}")}; " +
                "how ld resizes such a group (_bfd_elf_fixup_group_sections) is not emulated");
        }

        isec.Edit = new GroupFixup(isec.Elf.Size, removed);
        if (isec.Edit.Size == 0)
        {
            isec.Flags |= SectionFlags.Exclude;
        }
    }
}
