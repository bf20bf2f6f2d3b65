namespace DynDbg.ElfSim.Elf;

/// <summary>
/// Pointers of a linked image (ET_EXEC/ET_DYN, e.g. vmlinux): the word in the section is the virtual address,
/// found in the allocated section that maps it.
/// </summary>
public sealed class LinkedMemory : ElfMemory
{
    private readonly ElfSection[] _byAddress;

    public LinkedMemory(ElfFile file) : base(file)
    {
        _byAddress = file.Sections.Where(s => s.IsAlloc && s.Size > 0).OrderBy(s => s.Address).ThenByDescending(s => s.Size).ToArray();
    }

    /// <summary>The allocated section containing <paramref name="address"/>, preferring sections with contents.</summary>
    public ElfSection? SectionAt(ulong address)
    {
        int lo = 0, hi = _byAddress.Length - 1, found = -1;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            if (_byAddress[mid].Address <= address)
            {
                found = mid;
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }

        // Sections may nest or share an address (e.g. an empty-sized marker); walk back to one that covers it.
        for (var i = found; i >= 0 && i > found - 8; i--)
        {
            var s = _byAddress[i];
            if (address - s.Address < s.Size && !s.IsNoBits)
            {
                return s;
            }
        }

        for (var i = found; i >= 0 && i > found - 8; i--)
        {
            var s = _byAddress[i];
            if (address - s.Address < s.Size)
            {
                return s;
            }
        }

        return null;
    }

    public override ElfLocation? ReadPointer(ElfSection section, ulong offset, ElfWhere who)
    {
        var width = File.PointerSize;
        var value = ReadWord(section, offset, width);
        if (value == 0)
        {
            return null;
        }

        var target = SectionAt(value);
        if (target is null)
        {
            throw new ElfFormatException(ErrorIds.PointerIntoNowhere, File.Path, who.ToString(), section.Offset + offset,
                $"pointer 0x{value:x} is not inside any allocated section");
        }

        return new ElfLocation(target.Index, value - target.Address);
    }
}
