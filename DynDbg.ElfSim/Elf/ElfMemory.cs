using System.Collections.Concurrent;
using System.Text;

namespace DynDbg.ElfSim.Elf;

/// <summary>
/// Reads pointer-sized values out of a file's sections as the program would see them: through relocations in a
/// relocatable object (<see cref="RelocatableMemory"/>), or through virtual addresses in a linked image
/// (<see cref="LinkedMemory"/>). Strings are decoded once and shared.
/// </summary>
public abstract class ElfMemory
{
    private readonly ConcurrentDictionary<ElfLocation, string> _strings = new();

    protected ElfMemory(ElfFile file) => File = file;

    public ElfFile File { get; }

    public static ElfMemory For(ElfFile file) =>
        file.Header.Type == ElfConstants.EtRel ? new RelocatableMemory(file) : new LinkedMemory(file);

    /// <summary>
    /// The pointer stored at <paramref name="offset"/> in <paramref name="section"/>: null for a NULL pointer,
    /// else the location it points to. <paramref name="who"/> names the field for error messages.
    /// </summary>
    public abstract ElfLocation? ReadPointer(ElfSection section, ulong offset, ElfWhere who);

    /// <summary>The address a location has in this image (sh_addr + offset; sh_addr is 0 in most ET_REL files).</summary>
    public ulong AddressOf(ElfLocation loc) => File.Sections[loc.Section].Address + loc.Offset;

    public string ReadString(ElfLocation loc, ElfWhere who) =>
        _strings.TryGetValue(loc, out var s) ? s : _strings.GetOrAdd(loc, DecodeString(loc, who));

    /// <summary>
    /// The string at <paramref name="loc"/>, decoded now and not kept: what a view that must not grow with the
    /// record count (the lazy <c>DdebugRecord</c> strings) uses instead of <see cref="ReadString"/>.
    /// </summary>
    public string ReadStringUncached(ElfLocation loc, ElfWhere who) => Encoding.UTF8.GetString(StringBytes(loc, who));

    /// <summary>Raises what <see cref="ReadString"/> would for a bad string, without decoding or keeping it.</summary>
    public void CheckString(ElfLocation loc, ElfWhere who) => StringBytes(loc, who);

    private string DecodeString(ElfLocation loc, ElfWhere who) => Encoding.UTF8.GetString(StringBytes(loc, who));

    internal ReadOnlySpan<byte> StringBytes(ElfLocation loc, ElfWhere who)
    {
        var sec = File.Sections[loc.Section];
        if (sec.IsNoBits || loc.Offset >= sec.Size)
        {
            throw new ElfFormatException(ErrorIds.PointerIntoNowhere, File.Path, who.ToString(), sec.Offset + Math.Min(loc.Offset, sec.Size),
                $"string pointer {sec.Describe()}+0x{loc.Offset:x} is outside the section's {sec.Size} bytes of contents");
        }

        return File.StringSpan(sec, loc.Offset, who);
    }

    /// <summary>A 32-bit word in the file's byte order.</summary>
    public uint ReadU32(ElfSection section, ulong offset) => File.Endian.U32(Bytes(section, offset, 4));

    /// <summary>An unsigned word of <paramref name="width"/> (4 or 8) bytes in the file's byte order.</summary>
    public ulong ReadWord(ElfSection section, ulong offset, int width) => File.Endian.Word(Bytes(section, offset, width), width);

    /// <summary>Bytes inside a section's contents, or DYN011 naming the section and the offset that is past its end.</summary>
    private ReadOnlySpan<byte> Bytes(ElfSection section, ulong offset, int width)
    {
        if (section.IsNoBits || offset > section.Size || (ulong)width > section.Size - offset)
        {
            throw new ElfFormatException(ErrorIds.ReadPastSection, File.Path, section.Describe(),
                section.Offset + Math.Min(offset, section.Size),
                $"{width}-byte value at +0x{offset:x} is past the end of the section's {(section.IsNoBits ? 0 : section.Size)} bytes of contents");
        }

        return Contents(section).Slice((int)offset, width);
    }

    /// <summary>The bytes words are read from: the file's, or (for a loaded image) the relocated copy.</summary>
    protected virtual ReadOnlySpan<byte> Contents(ElfSection section) => File.GetContents(section);
}
