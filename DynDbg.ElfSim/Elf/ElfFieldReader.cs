namespace DynDbg.ElfSim.Elf;

/// <summary>
/// A forward-only reader of one fixed-layout ELF structure (the file header, a section header) over the mapped
/// bytes, field by field in the order the gABI lists them. Nothing is copied; the byte order is the file's, chosen
/// once; the class-sized fields (ElfN_Addr, ElfN_Off, and the sizes and flags that are Elf32_Word in ELF32 but
/// Elf64_Xword in ELF64) are 4 or 8 bytes by the file's class, so one code path reads both classes. The caller has
/// checked that the structure lies inside the input; reading past the span's end is a programming error and the
/// span's own bounds check throws.
/// </summary>
internal ref struct ElfFieldReader
{
    private readonly ReadOnlySpan<byte> _bytes;
    private readonly ElfEndian _endian;
    private readonly int _classWordSize;
    private int _position;

    public ElfFieldReader(ReadOnlySpan<byte> bytes, ElfEndian endian, bool is64)
    {
        _bytes = bytes;
        _endian = endian;
        _classWordSize = is64 ? 8 : 4;
        _position = 0;
    }

    /// <summary>The offset of the next field from the start of the structure.</summary>
    public readonly int Position => _position;

    /// <summary>Passes over <paramref name="count"/> bytes already read another way (e.g. e_ident).</summary>
    public void Skip(int count) => Take(count);

    /// <summary>An Elf32_Half / Elf64_Half: 2 bytes.</summary>
    public ushort Half() => _endian.U16(Take(2));

    /// <summary>An Elf32_Word / Elf64_Word: 4 bytes.</summary>
    public uint Word() => _endian.U32(Take(4));

    /// <summary>A field of the class's width: ElfN_Addr, ElfN_Off, or Elf32_Word / Elf64_Xword (4 or 8 bytes).</summary>
    public ulong ClassWord() => _endian.Word(Take(_classWordSize), _classWordSize);

    private ReadOnlySpan<byte> Take(int count)
    {
        var field = _bytes.Slice(_position, count);
        _position += count;
        return field;
    }
}
