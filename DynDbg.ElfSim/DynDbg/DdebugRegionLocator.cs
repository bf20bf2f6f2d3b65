using DynDbg.ElfSim.Elf;

namespace DynDbg.ElfSim.DynDbg;

/// <summary>
/// Finds the callsite array. Relocatable objects: the first allocated section of that name, as the module loader's
/// <c>find_sec</c> does (invariant 32). Linked images: the <c>__start_</c>/<c>__stop_</c> bounds symbols that
/// <c>vmlinux.lds.h</c> defines around it.
/// </summary>
public static class DdebugRegionLocator
{
    /// <summary>The region holding records for section name <paramref name="sectionName"/>, or null if none.</summary>
    public static DdebugRegion? Find(ElfFile file, string sectionName)
    {
        if (file.Header.Type != ElfConstants.EtRel && FromBounds(file, sectionName) is { } bounded)
        {
            return bounded;
        }

        if (file.Header.Type == ElfConstants.EtRel && FromDefinedBounds(file, sectionName) is { } inSection)
        {
            return inSection;
        }

        var sec = file.FindSections(sectionName).FirstOrDefault(s => s.IsAlloc)
                  ?? file.FindSections(sectionName).FirstOrDefault();
        if (sec is null)
        {
            return null;
        }

        if (sec.IsNoBits)
        {
            throw new DyndbgFormatException(DyndbgErrorIds.RecordSizeMismatch, file.Path, sec.Describe(), sec.HeaderOffset,
                "callsite section is SHT_NOBITS: it has no contents to decode");
        }

        return new DdebugRegion(sec, 0, sec.Size, sec.Describe());
    }

    /// <summary>
    /// A relocatable object linked with a vmlinux-style script (<c>ld -r -T vmlinux-diet-v5.lds</c>): the bounds
    /// symbols are defined, section-relative, inside the output section that holds the array (.data). A kbuild
    /// vmlinux.o only references them (undefined), so this finds nothing there and the section name is used.
    /// </summary>
    private static DdebugRegion? FromDefinedBounds(ElfFile file, string sectionName)
    {
        string startName = "__start_" + sectionName, stopName = "__stop_" + sectionName;
        if (file.SectionBoundSymbols(sectionName) is not var (start, stop) || start < 0 || stop < 0 || file.SymbolTable is not { } symtab)
        {
            return null;
        }

        var (lo, hi) = (symtab[start], symtab[stop]);
        if (!lo.IsInSection || lo.SectionIndex != hi.SectionIndex || lo.SectionIndex >= (uint)file.Sections.Count)
        {
            return null;
        }

        var sec = file.Sections[(int)lo.SectionIndex];
        if (sec.IsNoBits || hi.Value < lo.Value || hi.Value > sec.Size)
        {
            return null;
        }

        return new DdebugRegion(sec, lo.Value, hi.Value - lo.Value, $"{startName}..{stopName} (+0x{lo.Value:x}..+0x{hi.Value:x}) in {sec.Describe()}");
    }

    private static DdebugRegion? FromBounds(ElfFile file, string sectionName)
    {
        // The string table rules the bounds out, most files of a tree, without the symbol table being checked.
        if (file.SectionBoundSymbols(sectionName) is not var (start, stop) || file.SymbolTable is not { } symtab)
        {
            return null;
        }

        string startName = "__start_" + sectionName, stopName = "__stop_" + sectionName;
        if (start < 0 && stop < 0)
        {
            return null;
        }

        var where = symtab.Section.Describe();
        if (start < 0 || stop < 0)
        {
            var missing = start < 0 ? startName : stopName;
            throw new DyndbgFormatException(DyndbgErrorIds.BoundsSymbols, file.Path, where, symtab.Section.Offset,
                $"'{(start < 0 ? stopName : startName)}' is defined but '{missing}' is not");
        }

        ulong lo = symtab[start].Value, hi = symtab[stop].Value;
        var symOffset = symtab.Section.Offset + (ulong)(start * file.Header.ExpectedSymEntSize);
        if (hi < lo)
        {
            throw new DyndbgFormatException(DyndbgErrorIds.BoundsSymbols, file.Path, $"symbol [{start}] '{startName}' in {where}", symOffset,
                $"{stopName} (0x{hi:x}) is below {startName} (0x{lo:x})");
        }

        var memory = new LinkedMemory(file);
        var sec = memory.SectionAt(lo) ?? (hi > lo ? null : memory.SectionAt(lo - 1));
        if (sec is null && hi == lo)
        {
            return null; // an empty table at an address no section covers: nothing to decode
        }

        if (sec is null || hi - sec.Address > sec.Size || sec.IsNoBits)
        {
            throw new DyndbgFormatException(DyndbgErrorIds.BoundsSymbols, file.Path, $"symbol [{start}] '{startName}' in {where}", symOffset,
                $"{startName}..{stopName} (0x{lo:x}..0x{hi:x}) is not inside one allocated section with contents");
        }

        return new DdebugRegion(sec, lo - sec.Address, hi - lo,
            $"{startName}..{stopName} (0x{lo:x}..0x{hi:x}) in {sec.Describe()}");
    }
}
