using DynDbg.ElfSim.Elf;

namespace DynDbg.ElfSim.Linking;

/// <summary>One relocatable input, named as it was given (the name GNU ld matches file patterns against and prints).</summary>
public sealed class InputObject
{
    private InputSection?[] _byElfIndex = [];

    internal InputObject(int index, string path, ElfFile elf)
    {
        Index = index;
        Path = path;
        Elf = elf;
    }

    internal void SetSections(InputSection?[] byElfIndex)
    {
        _byElfIndex = byElfIndex;
        Sections = byElfIndex.Where(s => s is not null).Select(s => s!).ToArray();
    }

    /// <summary>
    /// bfd's section list, as ld's map lists it: header order, except that the first SHF_GROUP section made
    /// (bfd/elf.c <c>setup_group</c>'s first call) makes every SHT_GROUP section not made yet, right after itself.
    /// gcc puts the groups first, so nothing moves; clang interleaves each group with its members. Orphan placement,
    /// the already-linked pass and the map's discarded list walk this order.
    /// </summary>
    internal void OrderGroupsAsBfd()
    {
        for (var k = 0; k < Sections.Count; k++)
        {
            var s = Sections[k];
            if ((s.Elf.Flags & ElfConstants.ShfGroup) == 0 || s.Elf.Type == ElfConstants.ShtGroup)
            {
                continue;
            }

            var later = Sections.Skip(k + 1).Where(x => x.Elf.Type == ElfConstants.ShtGroup).ToList();
            if (later.Count > 0)
            {
                var list = Sections.Take(k + 1).ToList();
                list.AddRange(later);
                list.AddRange(Sections.Skip(k + 1).Where(x => x.Elf.Type != ElfConstants.ShtGroup));
                Sections = [.. list];
            }

            return;
        }
    }

    public int Index { get; }
    public string Path { get; }
    public ElfFile Elf { get; }

    /// <summary>The sections BFD makes from the file, in section-header order (no symbol, string or relocation tables).</summary>
    public IReadOnlyList<InputSection> Sections { get; private set; } = [];

    /// <summary>The section for an ELF section index, or null for tables and index 0.</summary>
    public InputSection? SectionAt(uint elfIndex) => elfIndex < (uint)_byElfIndex.Length ? _byElfIndex[elfIndex] : null;

    /// <summary>The "COMMON" section BFD gives the file when one of its common symbols becomes, or enlarges, the
    /// hash table's common (bfd/linker.c <c>bfd_make_section_old_way</c>): empty, allocated, after the file's own
    /// sections. Script patterns can match it; otherwise it is never placed.</summary>
    // The link's symbol for each of this file's global symbols (by index past sh_info), filled when its symbols are
    // loaded, so that relocations find their symbol without decoding its name again (a million relocations would
    // make a million strings and hash lookups).
    private LinkSymbol?[] _globals = [];

    internal void ReserveGlobals(int count) => _globals = count > 0 ? new LinkSymbol?[count] : [];

    internal void SetGlobal(int index, LinkSymbol symbol) => _globals[index] = symbol;

    /// <summary>The link's symbol for global symbol <paramref name="symbolIndex"/> of this file, or null when its
    /// symbols were not loaded or it has no name.</summary>
    internal LinkSymbol? GlobalAt(uint symbolIndex, uint firstGlobal) =>
        symbolIndex >= firstGlobal && symbolIndex - firstGlobal < (uint)_globals.Length ? _globals[symbolIndex - firstGlobal] : null;

    internal InputSection? CommonSection { get; private set; }

    /// <summary>The symbols of each section, for matching the members of a discarded section group with the kept
    /// group's (<see cref="InputGroup"/>); made on first use.</summary>
    internal Dictionary<uint, List<(string Name, byte Info, byte Other)>>? SymbolsBySection { get; set; }

    internal void AddCommonSection()
    {
        if (CommonSection is null)
        {
            CommonSection = new InputSection(this,
                new ElfSection(Elf.Sections.Count, "COMMON", ElfConstants.ShtNull, ElfConstants.ShfAlloc, 0, 0, 0, 0, 0, 0, 0, 0),
                SectionFlags.Alloc);
            Sections = [.. Sections, CommonSection];
        }
    }

    public override string ToString() => Path;
}
