using DynDbg.ElfSim.Elf;

namespace DynDbg.ElfSim.Linking;

/// <summary>
/// An input SHT_GROUP section (a COMDAT group, as C++ inline functions and templates, gcc's -g3 .debug_macro and
/// i386's PIC thunks make them) as bfd reads it (bfd/elf.c <c>setup_group</c>): its signature, its members, and the
/// order bfd chains them in. In ld -r the group survives: each member and the .group itself become output sections
/// of their own (ld/ldlang.c <c>unique_section_p</c>), and the first group of a signature wins
/// (bfd/elflink.c <c>_bfd_elf_section_already_linked</c>).
/// </summary>
internal sealed class InputGroup
{
    private InputGroup(InputSection section, string signature, uint signatureSymbol, bool comdat, InputSection[] members, InputSection[] chain)
    {
        Section = section;
        Signature = signature;
        SignatureSymbol = signatureSymbol;
        Comdat = comdat;
        Members = members;
        Chain = chain;
    }

    /// <summary>The .group section itself.</summary>
    public InputSection Section { get; }

    /// <summary>The group's name: its signature symbol's name (bfd/elf.c <c>group_signature</c>; a section symbol
    /// gives its section's name).</summary>
    public string Signature { get; }

    /// <summary>sh_info: the signature symbol's index in the input's symbol table.</summary>
    public uint SignatureSymbol { get; }

    /// <summary>GRP_COMDAT: bfd sets SEC_LINK_ONCE, so a later group of the same signature is discarded.</summary>
    public bool Comdat { get; }

    /// <summary>The members bfd makes sections of (relocation tables are attached to their section), in the order the
    /// group lists them.</summary>
    public IReadOnlyList<InputSection> Members { get; }

    /// <summary>The members in bfd's <c>elf_next_in_group</c> order starting from the group section: the last one
    /// made first, then round the circular list <c>setup_group</c> builds. <c>bfd_elf_set_group_contents</c> writes
    /// them backwards in this order and <c>match_group_member</c> searches in it.</summary>
    public IReadOnlyList<InputSection> Chain { get; }

    /// <summary>For a discarded group: the group of the same signature that was kept.</summary>
    public InputGroup? KeptGroup { get; set; }

    public const uint GrpComdat = 1;

    /// <summary>
    /// Reads the file's SHT_GROUP sections and ties each member to its group. What bfd reports as an error
    /// ("no group info for section", a member in two groups, a group that names a table or no section) is refused in
    /// one line.
    /// </summary>
    public static void ReadAll(InputObject file, ElfSymbolTable? symtab)
    {
        var elf = file.Elf;
        foreach (var s in file.Sections)
        {
            if (s.Elf.Type != ElfConstants.ShtGroup)
            {
                continue;
            }

            var where = s.Elf.Describe();
            if (symtab is null || s.Elf.Link != (uint)symtab.Section.Index || s.Elf.Info == 0 || s.Elf.Info >= (uint)symtab.Count)
            {
                throw new ElfFormatException(ErrorIds.BadGroup, file.Path, where, s.Elf.HeaderOffset,
                    $"sh_link {s.Elf.Link} / sh_info {s.Elf.Info} do not name a signature symbol of .symtab");
            }

            if (s.Elf.EntSize != 4)
            {
                // bfd/elf.c IS_VALID_GROUP_SECTION_HEADER: bfd_section_from_shdr fails and ld rejects the file.
                throw new ElfFormatException(ErrorIds.BadGroup, file.Path, where, s.Elf.HeaderOffset,
                    $"SHT_GROUP with sh_entsize {s.Elf.EntSize}: expected 4");
            }

            var (flags, indices) = elf.GetGroup(s.Elf);
            var members = new List<InputSection>(indices.Length);
            for (var k = 0; k < indices.Length; k++)
            {
                var m = elf.Sections[indices[k]];
                var at = s.Elf.Offset + (ulong)((k + 1) * 4);
                if ((m.Flags & ElfConstants.ShfGroup) == 0 || m.Type == ElfConstants.ShtGroup)
                {
                    throw new ElfFormatException(ErrorIds.BadGroup, file.Path, where, at,
                        $"group member {k} is {m.Describe()}, which {(m.Type == ElfConstants.ShtGroup ? "is a group itself" : "lacks SHF_GROUP")}");
                }

                if (m.IsRelocation)
                {
                    continue; // bfd attaches it to the section it patches
                }

                if (file.SectionAt((uint)m.Index) is not { } member)
                {
                    throw new ElfFormatException(ErrorIds.BadGroup, file.Path, where, at,
                        $"group member {k} is {m.Describe()}, a table bfd makes no section of");
                }

                if (member.Group is not null)
                {
                    throw new ElfFormatException(ErrorIds.BadGroup, file.Path, where, at,
                        $"group member {k}, {m.Describe()}, is already a member of {member.Group.Section.Elf.Describe()}");
                }

                members.Add(member);
            }

            if (members.Count == 0)
            {
                // bfd/elf.c _bfd_elf_setup_sections: "SHT_GROUP section has no SHF_GROUP sections", and the file is rejected.
                throw new ElfFormatException(ErrorIds.BadGroup, file.Path, where, s.Elf.HeaderOffset,
                    "the group has no member bfd makes a section of (only relocation tables, or none)");
            }

            var sym = symtab[(int)s.Elf.Info];
            var name = symtab.GetName((int)s.Elf.Info);
            if (name.Length == 0 && sym.Type == ElfConstants.SttSection && file.SectionAt(sym.SectionIndex) is { } named)
            {
                name = named.Name;
            }

            var group = new InputGroup(s, name, s.Elf.Info, (flags & GrpComdat) != 0, [.. members], BfdChain(members));
            s.Group = group;
            foreach (var m in members)
            {
                m.Group = group;
            }
        }

        foreach (var s in file.Sections)
        {
            if ((s.Elf.Flags & ElfConstants.ShfGroup) != 0 && s.Group is null)
            {
                throw new ElfFormatException(ErrorIds.BadGroup, file.Path, s.Elf.Describe(), s.Elf.HeaderOffset,
                    "SHF_GROUP set, but no SHT_GROUP section lists it (bfd: \"no group info for section\")");
            }
        }
    }

    /// <summary>
    /// bfd/elf.c <c>setup_group</c>, run as bfd makes the members (in header order; every group section exists by
    /// then, whatever its index): a member joins the circular list after the first member, in the group's own order,
    /// that is already on it, and the group section points at the member made last. The chain is read from there.
    /// </summary>
    private static InputSection[] BfdChain(List<InputSection> contentOrder)
    {
        var next = new Dictionary<InputSection, InputSection>();
        InputSection? last = null;
        foreach (var m in contentOrder.OrderBy(m => m.Elf.Index))
        {
            var on = contentOrder.FirstOrDefault(next.ContainsKey);
            if (on is not null)
            {
                next[m] = next[on];
                next[on] = m;
            }
            else
            {
                next[m] = m;
            }

            last = m;
        }

        var chain = new InputSection[contentOrder.Count];
        var x = last!;
        for (var k = 0; k < chain.Length; k++)
        {
            chain[k] = x;
            x = next[x];
        }

        return chain;
    }

    /// <summary>Whether any relocation table of the member carries SHF_GROUP: only then does
    /// <c>bfd_elf_set_group_contents</c> list the output's table in the group.</summary>
    public static bool RelocationsGrouped(InputSection member) =>
        member.RelocationSections.Any(r => (r.Flags & ElfConstants.ShfGroup) != 0);

    /// <summary>
    /// bfd/elflink.c <c>_bfd_elf_check_kept_section</c> for a member of a discarded group: the kept group's member
    /// <c>match_group_member</c> finds (the same section type and the same symbols, by name, binding, type and
    /// visibility: <c>bfd_elf_match_symbols_in_sections</c>), if its size is the same; null otherwise.
    /// </summary>
    public InputSection? KeptMemberFor(InputSection discarded)
    {
        foreach (var k in Chain)
        {
            if (SymbolsMatch(k, discarded))
            {
                return k.Size == discarded.Size ? k : null;
            }
        }

        return null;
    }

    /// <summary>bfd/elflink.c <c>bfd_elf_match_symbols_in_sections</c>: the same section type, the same group
    /// name when both are group members, and the same non-empty set of symbols defined in each.</summary>
    public static bool SymbolsMatch(InputSection a, InputSection b)
    {
        if (a.Elf.Type != b.Elf.Type || (a.Group is { } ga && b.Group is { } gb && ga.Signature != gb.Signature))
        {
            return false;
        }

        var sa = DefinedIn(a);
        var sb = DefinedIn(b);
        if (sa.Count == 0 || sa.Count != sb.Count)
        {
            return false;
        }

        for (var k = 0; k < sa.Count; k++)
        {
            if (sa[k] != sb[k])
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The symbols whose st_shndx is the section's index, as (name, st_info, st_other), sorted; the file's
    /// index of them is made once, on the first question (bfd's elf_create_symbuf).</summary>
    private static List<(string Name, byte Info, byte Other)> DefinedIn(InputSection s)
    {
        var file = s.File;
        if (file.SymbolsBySection is null)
        {
            var index = new Dictionary<uint, List<(string, byte, byte)>>();
            if (file.Elf.SymbolTable is { } symtab)
            {
                for (var i = 0; i < symtab.Count; i++)
                {
                    var sym = symtab[i];
                    if (sym.IsInSection)
                    {
                        if (!index.TryGetValue(sym.SectionIndex, out var list))
                        {
                            index[sym.SectionIndex] = list = [];
                        }

                        list.Add((symtab.GetName(i), sym.Info, sym.Other));
                    }
                }

                foreach (var list in index.Values)
                {
                    list.Sort((x, y) => string.CompareOrdinal(x.Item1, y.Item1) is var c and not 0 ? c : (x.Item2, x.Item3).CompareTo((y.Item2, y.Item3)));
                }
            }

            file.SymbolsBySection = index;
        }

        return file.SymbolsBySection.TryGetValue((uint)s.Elf.Index, out var found) ? found : [];
    }
}
