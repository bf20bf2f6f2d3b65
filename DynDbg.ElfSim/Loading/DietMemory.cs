using DynDbg.ElfSim.DynDbg;
using DynDbg.ElfSim.Elf;

namespace DynDbg.ElfSim.Loading;

/// <summary>
/// The memory <c>lib/dynamic_debug.c</c> of the diet plan works on after load: every word is a final address
/// (relocated module, or a linked image's virtual addresses), and the descriptor and site arrays are a private
/// copy that <see cref="DietLoader"/> writes <c>_index</c>/<c>_back</c>/<c>_map</c>, the header's site pointer
/// and v6's packed sites into. The input file and the loaded module are never written.
/// </summary>
public sealed class DietMemory : ElfMemory
{
    /// <summary>The bytes a section starts from: the relocated module's, or the linked file's.</summary>
    private delegate ReadOnlySpan<byte> SectionBytes(int index);

    private readonly Dictionary<int, byte[]> _copies = [];
    private readonly Func<int, bool> _hasOwnBytes;
    private readonly SectionBytes _bytes;
    private readonly Func<ulong, ElfLocation?> _locate;
    private readonly Func<int, ulong> _sectionAddress;

    private DietMemory(ElfFile file, Func<int, bool> hasOwnBytes, SectionBytes bytes, Func<ulong, ElfLocation?> locate, Func<int, ulong> sectionAddress)
        : base(file)
    {
        _hasOwnBytes = hasOwnBytes;
        _bytes = bytes;
        _locate = locate;
        _sectionAddress = sectionAddress;
    }

    /// <summary>A relocated module (or a relocatable image placed at its script addresses): its loaded sections, each
    /// copied when first written (copying them all up front doubled a module with a large section: an AFL++ loader
    /// finding ran out of memory there).</summary>
    public static DietMemory Over(LoadedModule module) =>
        new(module.File, module.IsLoaded, module.Bytes, module.Locate, i => module.Addresses[i]);

    /// <summary>A linked image (vmlinux): pointers are virtual addresses; only <paramref name="writable"/> may be
    /// written (each copied when first written).</summary>
    public static DietMemory Over(ElfFile linked, IEnumerable<int> writable)
    {
        var map = new LinkedMemory(linked);
        var canWrite = writable.ToHashSet();
        return new DietMemory(linked, canWrite.Contains, i => linked.GetContents(linked.Sections[i]),
            a => map.SectionAt(a) is { } s ? new ElfLocation(s.Index, a - s.Address) : null, i => linked.Sections[i].Address);
    }

    /// <summary>The final address of a location.</summary>
    public ulong Address(ElfLocation loc) => unchecked(_sectionAddress(loc.Section) + loc.Offset);

    /// <summary>The location of an address, or null when no loaded section holds it.</summary>
    public ElfLocation? Locate(ulong address) => _locate(address);

    /// <summary>The raw pointer-sized word at a location: an address after load.</summary>
    public ulong Word(ElfLocation loc) => ReadWord(File.Sections[loc.Section], loc.Offset, File.PointerSize);

    public uint U32(ElfLocation loc) => ReadU32(File.Sections[loc.Section], loc.Offset);

    public override ElfLocation? ReadPointer(ElfSection section, ulong offset, ElfWhere who)
    {
        var value = ReadWord(section, offset, File.PointerSize);
        if (value == 0)
        {
            return null;
        }

        return _locate(value) ?? throw new ElfFormatException(ErrorIds.PointerIntoNowhere, File.Path, who.ToString(), section.Offset + offset,
            $"pointer 0x{value:x} after load is not inside any loaded section");
    }

    /// <summary>A C bitfield store: read the 32-bit unit, replace the field's bits, write the unit back.</summary>
    public void SetField(ElfLocation unit, BitField field, uint value)
    {
        var old = U32(unit);
        var mask = field.Mask << field.Shift;
        File.Endian.Put32(Writable(unit, 4), (old & ~mask) | ((value & field.Mask) << field.Shift));
    }

    public void SetWord(ElfLocation loc, ulong value) => File.Endian.PutWord(Writable(loc, File.PointerSize), value, File.PointerSize);

    /// <summary><c>memcpy(to, from, length)</c> inside one copied section.</summary>
    public void Copy(ElfLocation to, ElfLocation from, int length)
    {
        var src = Contents(File.Sections[from.Section]).Slice(checked((int)from.Offset), length).ToArray();
        src.CopyTo(Writable(to, length));
    }

    protected override ReadOnlySpan<byte> Contents(ElfSection section) =>
        _copies.TryGetValue(section.Index, out var b) ? b : _hasOwnBytes(section.Index) ? _bytes(section.Index) : base.Contents(section);

    private Span<byte> Writable(ElfLocation loc, int width)
    {
        if (!_copies.TryGetValue(loc.Section, out var b) && _hasOwnBytes(loc.Section))
        {
            _copies[loc.Section] = b = _bytes(loc.Section).ToArray();
        }

        if (b is null || loc.Offset > (ulong)b.Length || (ulong)width > (ulong)b.Length - loc.Offset)
        {
            var sec = File.Sections[loc.Section];
            throw new ElfFormatException(ErrorIds.ReadPastSection, File.Path, sec.Describe(), sec.Offset + loc.Offset,
                $"a {width}-byte store at +0x{loc.Offset:x} is outside the loaded copy of the section");
        }

        return b.AsSpan((int)loc.Offset, width);
    }
}
