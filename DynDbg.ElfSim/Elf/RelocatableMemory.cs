namespace DynDbg.ElfSim.Elf;

/// <summary>
/// Pointers of a relocatable object (ET_REL): the word in the section is 0 (RELA) or the addend (REL), and the
/// value comes from the relocation at that offset: symbol's section + st_value + addend. No relocation at a
/// pointer slot means a NULL pointer, exactly as the module loader would leave it.
/// </summary>
public sealed class RelocatableMemory(ElfFile file) : ElfMemory(file)
{
    private readonly Dictionary<int, RelocationIndex> _bySection = new();

    /// <summary>Relocations that patch <paramref name="section"/>, by r_offset (the last one wins, as in the loader).</summary>
    public RelocationIndex RelocationsOf(ElfSection section)
    {
        lock (_bySection)
        {
            if (!_bySection.TryGetValue(section.Index, out var index))
            {
                index = RelocationIndex.Build(File.RelocationSectionsFor(section).Select(File.GetRelocations).ToArray());
                _bySection[section.Index] = index;
            }

            return index;
        }
    }

    public override ElfLocation? ReadPointer(ElfSection section, ulong offset, ElfWhere who)
    {
        var width = File.PointerSize;
        var at = section.Offset + offset;
        if (!RelocationsOf(section).TryGet(offset, out var hit))
        {
            var raw = ReadWord(section, offset, width);
            if (raw == 0)
            {
                return null;
            }

            throw new ElfFormatException(ErrorIds.UnresolvedPointer, File.Path, who.ToString(), at,
                $"pointer holds 0x{raw:x} but no relocation applies to it, so it points nowhere in a relocatable object");
        }

        var (rel, table, index) = hit;
        var sem = RelocationSemantics.Of(File.Header.Machine, rel);
        if (sem.Kind != RelocationKind.Absolute || sem.Width != width)
        {
            throw new ElfFormatException(ErrorIds.UnsupportedRelocation, File.Path, Where(who, index, table), at,
                $"{ElfMachineNames.ElfName(File.Header.Machine)} relocation type {rel.Type} ({sem.Name}) where a {width}-byte absolute pointer relocation is expected");
        }

        var addend = rel.HasExplicitAddend ? rel.Addend : (long)ReadWord(section, offset, width);
        if (width == 4 && !rel.HasExplicitAddend)
        {
            addend = (int)addend;
        }

        var sym = table.Symbols[(int)rel.SymbolIndex];
        if (!sym.IsInSection)
        {
            var name = table.Symbols.GetName((int)rel.SymbolIndex);
            var what = sym.IsUndefined ? "undefined" : sym.IsAbsolute ? "absolute" : $"in reserved section 0x{sym.SectionIndex:x}";
            throw new ElfFormatException(ErrorIds.UnresolvedPointer, File.Path, Where(who, index, table), at,
                $"pointer relocation against {what} symbol '{name}' cannot be resolved inside this file");
        }

        var target = File.Sections[(int)sym.SectionIndex];
        var value = unchecked((long)sym.Value + addend);
        if (value < 0 || (ulong)value > target.Size)
        {
            throw new ElfFormatException(ErrorIds.PointerIntoNowhere, File.Path, Where(who, index, table), at,
                $"pointer {target.Describe()}{(value < 0 ? "-" : "+")}0x{(value < 0 ? unchecked(0UL - (ulong)value) : (ulong)value):x} is outside the section's {target.Size} bytes");
        }

        return new ElfLocation(target.Index, (ulong)value);
    }

    /// <summary>The error location of a pointer read through a relocation; built only when one is raised.</summary>
    private static string Where(ElfWhere who, int index, ElfRelocationTable table) =>
        $"{who} (relocation [{index}] in {table.Section.Describe()})";
}
