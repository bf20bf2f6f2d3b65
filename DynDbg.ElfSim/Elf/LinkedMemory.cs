namespace DynDbg.ElfSim.Elf;

/// <summary>
/// Pointers of a linked image (ET_EXEC/ET_DYN, e.g. vmlinux): the word in the section is the virtual address,
/// found in the allocated section that maps it. Where the word is 0 but an allocated RELA table (.rela.dyn) has a
/// RELATIVE relocation for it, its addend is the address: arm64's relocatable vmlinux is linked with
/// <c>--no-apply-dynamic-relocs</c>, so every pointer of it is only in .rela.dyn until the kernel relocates itself
/// at boot (arch/arm64/kernel/pi/relocate.c; with nokaslr the offset is 0).
/// </summary>
public sealed class LinkedMemory : ElfMemory
{
    private readonly ElfSection[] _byAddress;
    private readonly Lazy<(ulong[] Where, ulong[] Value)> _relative;

    public LinkedMemory(ElfFile file) : base(file)
    {
        _byAddress = file.Sections.Where(s => s.IsAlloc && s.Size > 0).OrderBy(s => s.Address).ThenByDescending(s => s.Size).ToArray();
        _relative = new(() => ReadRelative(file), LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>r_type of R_*_RELATIVE where the addend is in the RELA entry (0 where the machine has none we read).</summary>
    private static uint RelativeType(ElfMachine machine) => machine switch
    {
        ElfMachine.AArch64 => 1027,
        ElfMachine.X86_64 => 8,
        ElfMachine.Ppc64 => 22,
        ElfMachine.S390 => 12,
        ElfMachine.RiscV => 3,
        _ => 0,
    };

    /// <summary>Every RELATIVE entry of the allocated RELA tables, sorted by the address it fills.</summary>
    private static (ulong[] Where, ulong[] Value) ReadRelative(ElfFile file)
    {
        var type = RelativeType(file.Header.Machine);
        var where = new List<ulong>();
        var value = new List<ulong>();
        var is64 = file.Header.Is64;
        var size = is64 ? 24 : 12;
        foreach (var s in file.Sections)
        {
            if (type == 0 || s.Type != ElfConstants.ShtRela || !s.IsAlloc)
            {
                continue;
            }

            var bytes = file.GetContents(s);
            for (var at = 0; at + size <= bytes.Length; at += size)
            {
                var e = bytes.Slice(at, size);
                var info = is64 ? file.Endian.Word(e.Slice(8, 8), 8) : file.Endian.Word(e.Slice(4, 4), 4);
                if ((is64 ? info & 0xffffffff : info & 0xff) == type)
                {
                    where.Add(is64 ? file.Endian.Word(e[..8], 8) : file.Endian.Word(e[..4], 4));
                    value.Add(is64 ? file.Endian.Word(e.Slice(16, 8), 8) : file.Endian.Word(e.Slice(8, 4), 4));
                }
            }
        }

        var w = where.ToArray();
        var v = value.ToArray();
        Array.Sort(w, v);
        return (w, v);
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
            var (where, relocated) = _relative.Value;
            var i = Array.BinarySearch(where, section.Address + offset);
            if (i < 0)
            {
                return null;
            }

            value = relocated[i];
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
