using System.Diagnostics;
using System.Text;

namespace DynDbg.ElfSim.Elf;

/// <summary>
/// A read-only view of one ELF file (ELF32/ELF64, either byte order, ET_REL/ET_EXEC/ET_DYN) over its mapped bytes.
/// Headers are validated when the file is opened; tables (symbols, relocations, groups) when first asked for.
/// Every malformed structure raises <see cref="ElfFormatException"/> with a stable ID and the byte offset.
/// </summary>
public sealed class ElfFile : IDisposable
{
    private readonly ElfBytes _bytes;
    private readonly Dictionary<int, ElfSymbolTable> _symbolTables = new();

    // Section headers are checked when the file is opened, and an ElfSection is made when one is first asked for
    // (SectionAtIndex): vmlinux.o has 8945 sections, a load looks at a few dozen, and making them all was a tenth
    // of `load --control vmlinux.o`. Scans over every header (FindSection, RelocationSectionsFor) read the fields
    // they test in place. Once the file is disposed, the headers are read from a copy of their table.
    private readonly ElfSection?[] _sections;
    private readonly byte[] _sectionNames;
    private byte[]? _headerCopy;
    private int _made;

    private ElfFile(string path, ElfBytes bytes, ElfHeader header, int sectionCount, byte[] sectionNames)
    {
        Path = path;
        _bytes = bytes;
        Header = header;
        _sections = new ElfSection?[sectionCount];
        _sectionNames = sectionNames;
        Endian = new ElfEndian(header.IsBigEndian);
        Sections = new SectionList(this);
    }

    public string Path { get; }
    public ElfHeader Header { get; }
    public ElfEndian Endian { get; }
    public ulong Length => _bytes.Length;
    public IReadOnlyList<ElfSection> Sections { get; }
    public int PointerSize => Header.PointerSize;

    /// <summary>EI_MAG0..EI_MAG3.</summary>
    private static ReadOnlySpan<byte> ElfMagic => [0x7f, (byte)'E', (byte)'L', (byte)'F'];

    /// <summary>Maps and parses <paramref name="path"/>. The file is opened read-only and never written.</summary>
    public static ElfFile Open(string path)
    {
        // A FIFO or device would block the open or the map; a directory would say "access denied" (readelf: "is not
        // an ordinary file").
        if (UnixFileStat.NotARegularFile(path) is { } what)
        {
            throw new ElfFormatException(ErrorIds.UnreadableFile, path, "file", null, $"is {what}, not an ordinary file");
        }

        ElfBytes bytes;
        try
        {
            bytes = ElfBytes.Map(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            // ArgumentException: an empty path, or one with a NUL byte.
            throw new ElfFormatException(ErrorIds.UnreadableFile, path, "file", null, path.Length == 0 ? "empty file name" : e.Message);
        }

        return ParseOwning(path, bytes);
    }

    /// <summary>
    /// <see cref="Open"/> for a file met while walking a tree: null, not an error, when it is not an ordinary file,
    /// cannot be read or does not start with the ELF magic, decided from the one mapping the parse then uses (a tree
    /// scan opened every module twice: once to sniff, once to map).
    /// </summary>
    public static ElfFile? OpenIfElf(string path)
    {
        if (ElfBytes.TryMapRegular(path, 4) is not { } bytes)
        {
            return null;
        }

        if (!bytes.Span(0, 4).SequenceEqual(ElfMagic))
        {
            bytes.Dispose();
            return null;
        }

        return ParseOwning(path, bytes);
    }

    /// <summary>Parses <paramref name="bytes"/>, which the file then owns; released again when they are refused.</summary>
    private static ElfFile ParseOwning(string path, ElfBytes bytes)
    {
        try
        {
            return Parse(path, bytes);
        }
        catch
        {
            bytes.Dispose();
            throw;
        }
    }

    /// <summary>Parses an in-memory image (tests, synthetic objects).</summary>
    public static ElfFile FromBytes(string name, byte[] data)
    {
        // Unpinned again when the array is refused: a long run of refused inputs (a fuzzer's) must not pin them all.
        var bytes = ElfBytes.FromArray(data);
        return ParseOwning(name, bytes);
    }

    /// <summary>Drops the mapped pages read so far from this process's resident set (<see cref="ElfBytes.ReleaseResidentPages"/>).</summary>
    public void ReleaseResidentPages() => _bytes.ReleaseResidentPages();

    public void Dispose()
    {
        // Sections not made yet can still be asked for (an image outlives its file): keep their headers' bytes.
        if (_headerCopy is null && _made < _sections.Length && !_bytes.IsDisposed)
        {
            _headerCopy = _bytes.Span(Header.ShOff, (ulong)_sections.Length * Header.ShEntSize).ToArray();
        }

        _bytes.Dispose();
    }

    // ------------------------------------------------------------------ header and section headers

    private static ElfFile Parse(string path, ElfBytes bytes)
    {
        var header = ReadHeader(path, bytes);
        var (count, names) = CheckSectionHeaders(path, bytes, header);
        var file = new ElfFile(path, bytes, header, count, names);
        file.CheckProgramHeaders();
        return file;
    }

    private static ElfFormatException Error(string path, string id, string where, ulong? offset, string msg) =>
        new(id, path, where, offset, msg);

    private static ElfHeader ReadHeader(string path, ElfBytes bytes)
    {
        const string where = "ELF header";
        if (bytes.Length < ElfHeader.EIdentSize)
        {
            throw Error(path, ErrorIds.FileTooSmall, where, 0,
                $"file is {bytes.Length} bytes, too small for e_ident (16 bytes)");
        }

        var ident = bytes.Span(0, ElfHeader.EIdentSize);
        if (!ident[..4].SequenceEqual(ElfMagic))
        {
            throw Error(path, ErrorIds.BadMagic, where, 0,
                $"not an ELF file: magic {ident[0]:x2} {ident[1]:x2} {ident[2]:x2} {ident[3]:x2}, expected 7f 45 4c 46");
        }

        var cls = ident[4];
        if (cls is not (ElfConstants.ElfClass32 or ElfConstants.ElfClass64))
        {
            throw Error(path, ErrorIds.BadClass, where, 4, $"EI_CLASS is {cls}, expected 1 (ELF32) or 2 (ELF64)");
        }

        var data = ident[5];
        if (data is not (ElfConstants.ElfData2Lsb or ElfConstants.ElfData2Msb))
        {
            throw Error(path, ErrorIds.BadDataEncoding, where, 5,
                $"EI_DATA is {data}, expected 1 (little-endian) or 2 (big-endian)");
        }

        if (ident[6] != 1)
        {
            throw Error(path, ErrorIds.BadVersion, where, 6, $"EI_VERSION is {ident[6]}, expected 1 (EV_CURRENT)");
        }

        var is64 = cls == ElfConstants.ElfClass64;
        var size = is64 ? ElfHeader.Size64 : ElfHeader.Size32;
        if (bytes.Length < (ulong)size)
        {
            throw Error(path, ErrorIds.FileTooSmall, where, 0,
                $"file is {bytes.Length} bytes, too small for an ELF{(is64 ? 64 : 32)} header ({size} bytes)");
        }

        // Elf32_Ehdr / Elf64_Ehdr after e_ident, in the gABI's field order.
        var e = new ElfEndian(data == ElfConstants.ElfData2Msb);
        var r = new ElfFieldReader(bytes.Span(0, (ulong)size), e, is64);
        r.Skip(ElfHeader.EIdentSize);
        var type = r.Half();
        var machine = (ElfMachine)r.Half();
        var versionAt = (ulong)r.Position;
        var version = r.Word();
        if (version != 1)
        {
            throw Error(path, ErrorIds.BadVersion, where, versionAt, $"e_version is {version}, expected 1 (EV_CURRENT)");
        }

        var entry = r.ClassWord();
        var phOff = r.ClassWord();
        var shOff = r.ClassWord();
        var flags = r.Word();
        var ehSizeAt = (ulong)r.Position;
        var h = new ElfHeader(is64, e.IsBigEndian, ident[7], type, machine, entry, phOff, shOff, flags,
            EhSize: r.Half(), PhEntSize: r.Half(), PhNum: r.Half(), ShEntSize: r.Half(), ShNum: r.Half(), ShStrNdx: r.Half());
        Debug.Assert(r.Position == size, "every field of the header was read");
        if (h.EhSize != size)
        {
            throw Error(path, ErrorIds.BadHeaderSize, where, ehSizeAt, $"e_ehsize is {h.EhSize}, expected {size}");
        }

        return h;
    }

    /// <summary>Checks every section header and its name; the count of headers and a copy of the name table.</summary>
    private static (int Count, byte[] Names) CheckSectionHeaders(string path, ElfBytes bytes, ElfHeader h)
    {
        var shEntOffset = h.Is64 ? 58UL : 46UL;
        if (h.ShOff == 0)
        {
            // No section header table: legal for ELF (e.g. stripped images), nothing to decode here.
            return (0, []);
        }

        if (h.ShEntSize != h.ExpectedShEntSize)
        {
            throw Error(path, ErrorIds.BadSectionHeaderEntrySize, "ELF header", shEntOffset,
                $"e_shentsize is {h.ShEntSize}, expected {h.ExpectedShEntSize}");
        }

        var e = new ElfEndian(h.IsBigEndian);
        var entSize = (ulong)h.ShEntSize;
        if (!bytes.Contains(h.ShOff, entSize))
        {
            throw Error(path, ErrorIds.SectionHeadersOutOfFile, "section header table", h.ShOff,
                $"e_shoff 0x{h.ShOff:x} is past the end of the file ({bytes.Length} bytes)");
        }

        // Extended numbering (gABI): e_shnum == 0 means section 0's sh_size holds the count, and
        // e_shstrndx == SHN_XINDEX means section 0's sh_link holds the string-table index.
        var first = DecodeSectionHeader(e, h.Is64, bytes.Span(h.ShOff, entSize));
        ulong count = h.ShNum;
        if (count == 0)
        {
            count = first.Size;
            if (count == 0)
            {
                throw Error(path, ErrorIds.ExtendedNumbering, "section header [0]", h.ShOff,
                    "e_shoff is set but e_shnum is 0 and section 0's sh_size (extended count) is 0");
            }
        }

        // count * entSize cannot overflow: count < 2^64 / 64 is implied by the containment check below being
        // computed as a division.
        if (count > (bytes.Length - h.ShOff) / entSize)
        {
            throw Error(path, ErrorIds.SectionHeadersOutOfFile, "section header table", h.ShOff,
                $"{count} section headers of {entSize} bytes at 0x{h.ShOff:x} extend past the end of the file ({bytes.Length} bytes)");
        }

        if (h.ShOff < (ulong)(h.Is64 ? ElfHeader.Size64 : ElfHeader.Size32))
        {
            throw Error(path, ErrorIds.OverlappingTables, "section header table", h.ShOff,
                "section header table overlaps the ELF header");
        }

        ulong strndx = h.ShStrNdx;
        if (strndx == ElfConstants.ShnXindex)
        {
            strndx = first.Link;
        }

        if (strndx >= count)
        {
            throw Error(path, ErrorIds.SectionNameTableIndex, "ELF header", h.Is64 ? 62UL : 50UL,
                $"section header string table index {strndx} does not exist (e_shnum is {count})");
        }

        // The name table's header first, then one pass: a RawSection array of vmlinux.o's 8945 headers was a large
        // object (zeroed, faulted in) on every load.
        var names = ReadRawSection(path, bytes, h, e, entSize, strndx);
        if (names.Type != ElfConstants.ShtStrtab)
        {
            throw Error(path, ErrorIds.NotAStringTable, $"section [{strndx}]", names.HeaderOffset,
                $"section header string table has sh_type {names.Type}, expected SHT_STRTAB (3)");
        }

        // An empty table's sh_offset is not checked against the file (no contents), so it is not read either.
        // Names are checked now and decoded when asked, from one copy of the table (see ElfSection).
        var nameBytes = names.Size == 0 ? [] : bytes.Span(names.Offset, names.Size).ToArray();
        for (ulong i = 0; i < count; i++)
        {
            var r = ReadRawSection(path, bytes, h, e, entSize, i);
            if (i != 0 || r.Name != 0)
            {
                CheckName(path, nameBytes, r.Name, names.Offset, i, strndx);
            }
        }

        return ((int)count, nameBytes);
    }

    /// <summary>Section <paramref name="i"/>, made from its header the first time it is asked for.</summary>
    private ElfSection SectionAtIndex(int i) => _sections[i] ?? MakeSection(i);

    private ElfSection MakeSection(int i)
    {
        var r = DecodeSectionHeader(Endian, Header.Is64, HeaderBytes(i));
        var at = Header.ShOff + ((ulong)i * Header.ShEntSize);
        var made = i == 0 && r.Name == 0
            ? new ElfSection(0, "", r.Type, r.Flags, r.Addr, r.Offset, r.Size, r.Link, r.Info, r.AddrAlign, r.EntSize, at)
            : new ElfSection(i, _sectionNames, r.Name, r.Type, r.Flags, r.Addr, r.Offset, r.Size, r.Link, r.Info, r.AddrAlign, r.EntSize, at);
        // One object per section even when threads race here: some callers compare sections by reference.
        if (Interlocked.CompareExchange(ref _sections[i], made, null) is { } first)
        {
            return first;
        }

        Interlocked.Increment(ref _made);
        return made;
    }

    /// <summary>The bytes of header <paramref name="i"/> (checked at open).</summary>
    private ReadOnlySpan<byte> HeaderBytes(int i) => HeaderTable().Slice(i * Header.ShEntSize, Header.ShEntSize);

    /// <summary>The section header table, from the file or, once it is disposed, from the copy.</summary>
    private ReadOnlySpan<byte> HeaderTable() =>
        _headerCopy ?? _bytes.Span(Header.ShOff, (ulong)_sections.Length * Header.ShEntSize);

    // Offsets of the 32-bit header fields that scans test in place (Elf64_Shdr / Elf32_Shdr).
    private const int ShNameAt = 0, ShTypeAt = 4;
    private int ShLinkAt => Header.Is64 ? 40 : 24;
    private int ShInfoAt => Header.Is64 ? 44 : 28;

    /// <summary>The 32-bit field at <paramref name="field"/> of header <paramref name="i"/> in <paramref name="table"/>.</summary>
    private uint HeaderWord(ReadOnlySpan<byte> table, int i, int field) => Endian.U32(table.Slice((i * Header.ShEntSize) + field, 4));

    /// <summary>The first header of type <paramref name="type"/>, or -1.</summary>
    private int IndexOfHeaderType(uint type)
    {
        var table = HeaderTable();
        for (var i = 0; i < _sections.Length; i++)
        {
            if (HeaderWord(table, i, ShTypeAt) == type)
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary><see cref="Sections"/>: each section made when first asked for.</summary>
    private sealed class SectionList(ElfFile file) : IReadOnlyList<ElfSection>
    {
        public ElfSection this[int index] => file.SectionAtIndex(index);

        public int Count => file._sections.Length;

        public IEnumerator<ElfSection> GetEnumerator()
        {
            for (var i = 0; i < file._sections.Length; i++)
            {
                yield return file.SectionAtIndex(i);
            }
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }

    private static void CheckName(string path, ReadOnlySpan<byte> table, uint offset, ulong tableOffset, ulong index, ulong strndx)
    {
        if (offset >= (ulong)table.Length)
        {
            throw Error(path, ErrorIds.NameOutOfStringTable, $"section [{index}]", tableOffset + offset,
                $"sh_name 0x{offset:x} is outside the section name table (section [{strndx}], {table.Length} bytes)");
        }

        var rest = table[(int)offset..];
        var nul = rest.IndexOf((byte)0);
        if (nul < 0)
        {
            throw Error(path, ErrorIds.UnterminatedString, $"section [{index}] name", tableOffset + offset,
                $"name at 0x{offset:x} in section [{strndx}] runs off the end of the table without a NUL");
        }
    }

    private static RawSection ReadRawSection(string path, ElfBytes bytes, ElfHeader h, ElfEndian e, ulong entSize, ulong i)
    {
        var off = h.ShOff + (i * entSize);
        var r = DecodeSectionHeader(e, h.Is64, bytes.Span(off, entSize));
        if (r.Type != ElfConstants.ShtNobits && r.Size != 0 && !bytes.Contains(r.Offset, r.Size))
        {
            throw Error(path, ErrorIds.SectionOutOfFile, $"section [{i}]", off + (h.Is64 ? 24UL : 16UL),
                $"contents 0x{r.Offset:x}+0x{r.Size:x} extend past the end of the file ({bytes.Length} bytes)");
        }

        return r with { HeaderOffset = off };
    }

    private record struct RawSection(uint Name, uint Type, ulong Flags, ulong Addr, ulong Offset, ulong Size,
        uint Link, uint Info, ulong AddrAlign, ulong EntSize, ulong HeaderOffset);

    /// <summary>An Elf32_Shdr / Elf64_Shdr, in the gABI's field order.</summary>
    private static RawSection DecodeSectionHeader(ElfEndian e, bool is64, ReadOnlySpan<byte> s)
    {
        var r = new ElfFieldReader(s, e, is64);
        return new RawSection(Name: r.Word(), Type: r.Word(), Flags: r.ClassWord(), Addr: r.ClassWord(),
            Offset: r.ClassWord(), Size: r.ClassWord(), Link: r.Word(), Info: r.Word(), AddrAlign: r.ClassWord(),
            EntSize: r.ClassWord(), HeaderOffset: 0);
    }

    private void CheckProgramHeaders()
    {
        var h = Header;
        if (h.PhOff == 0 || h.PhNum == 0)
        {
            return;
        }

        if (h.PhEntSize != h.ExpectedPhEntSize)
        {
            throw Error(Path, ErrorIds.BadProgramHeaderEntrySize, "ELF header", h.Is64 ? 54UL : 42UL,
                $"e_phentsize is {h.PhEntSize}, expected {h.ExpectedPhEntSize}");
        }

        if (!_bytes.Contains(h.PhOff, (ulong)h.PhNum * h.PhEntSize))
        {
            throw Error(Path, ErrorIds.ProgramHeadersOutOfFile, "program header table", h.PhOff,
                $"{h.PhNum} program headers of {h.PhEntSize} bytes at 0x{h.PhOff:x} extend past the end of the file ({Length} bytes)");
        }
    }

    // ------------------------------------------------------------------ sections and strings

    /// <summary>The first section named <paramref name="name"/>, or null. Names are compared as the table's bytes
    /// where that answers the same (<see cref="ElfSection.ComparesAsBytes"/>): no name is decoded to look.</summary>
    public ElfSection? FindSection(string name)
    {
        var i = IndexOfSection(name, 0);
        return i < 0 ? null : SectionAtIndex(i);
    }

    /// <summary>All sections with this name, in index order.</summary>
    public IEnumerable<ElfSection> FindSections(string name)
    {
        for (var i = IndexOfSection(name, 0); i >= 0; i = IndexOfSection(name, i + 1))
        {
            yield return SectionAtIndex(i);
        }
    }

    private int IndexOfSection(string name, int from)
    {
        if (!ElfSection.ComparesAsBytes(name))
        {
            for (var i = from; i < _sections.Length; i++)
            {
                if (SectionAtIndex(i).Name == name)
                {
                    return i;
                }
            }

            return -1;
        }

        Span<byte> utf8 = name.Length <= 256 ? stackalloc byte[Encoding.UTF8.GetMaxByteCount(name.Length)] : new byte[Encoding.UTF8.GetMaxByteCount(name.Length)];
        utf8 = utf8[..Encoding.UTF8.GetBytes(name, utf8)];
        var table = HeaderTable();
        var names = _sectionNames;
        for (var i = from; i < _sections.Length; i++)
        {
            // Section 0 without a name is "" whatever the table holds at 0.
            var at = HeaderWord(table, i, ShNameAt);
            if (i == 0 && at == 0 ? utf8.IsEmpty
                : at < (uint)names.Length && names.Length - (int)at > utf8.Length && names[(int)at + utf8.Length] == 0 && names.AsSpan((int)at, utf8.Length).SequenceEqual(utf8))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>The section at <paramref name="index"/>, or an ELF017-style error naming who asked.</summary>
    public ElfSection SectionAt(ulong index, string id, string where, ulong offset)
    {
        if (index >= (ulong)_sections.Length)
        {
            throw Error(Path, id, where, offset, $"section index {index} does not exist (e_shnum is {_sections.Length})");
        }

        return SectionAtIndex((int)index);
    }

    /// <summary>The bytes of a section; empty for SHT_NOBITS and for an empty section (whose sh_offset the header
    /// check lets be anything, as readelf does). Bounds were checked when the headers were read.</summary>
    public ReadOnlySpan<byte> GetContents(ElfSection s) => s.IsNoBits || s.Size == 0 ? ReadOnlySpan<byte>.Empty : _bytes.Span(s.Offset, s.Size);

    /// <summary>Raw bytes of the file (tests and checks that quote bytes).</summary>
    public ReadOnlySpan<byte> GetBytes(ulong offset, ulong length)
    {
        if (!_bytes.Contains(offset, length))
        {
            throw Error(Path, ErrorIds.SectionOutOfFile, "file", offset,
                $"0x{length:x} bytes at 0x{offset:x} are past the end of the file ({Length} bytes)");
        }

        return _bytes.Span(offset, length);
    }

    /// <summary>The NUL-terminated string at <paramref name="offset"/> inside <paramref name="section"/>.</summary>
    public string ReadString(ElfSection section, ulong offset, string who)
    {
        var span = StringSpan(section, offset, who);
        return Encoding.UTF8.GetString(span);
    }

    /// <summary>The bytes of the NUL-terminated string at <paramref name="offset"/>, without the NUL.</summary>
    public ReadOnlySpan<byte> StringSpan(ElfSection section, ulong offset, ElfWhere who)
    {
        if (section.IsNoBits || offset >= section.Size)
        {
            throw Error(Path, ErrorIds.NameOutOfStringTable, who.ToString(), section.Offset + Math.Min(offset, section.Size),
                $"string offset 0x{offset:x} is outside {section.Describe()} ({section.Size} bytes)");
        }

        var rest = GetContents(section)[(int)offset..];
        var nul = rest.IndexOf((byte)0);
        if (nul < 0)
        {
            throw Error(Path, ErrorIds.UnterminatedString, who.ToString(), section.Offset + offset,
                $"string at 0x{offset:x} in {section.Describe()} runs off the end of the section without a NUL");
        }

        return rest[..nul];
    }

    /// <summary>Compares the string at <paramref name="offset"/> with <paramref name="wanted"/> without decoding.</summary>
    internal bool StringEquals(ElfSection section, uint offset, ReadOnlySpan<byte> wanted)
    {
        var contents = GetContents(section);
        if (offset >= (ulong)contents.Length || contents.Length - (int)offset <= wanted.Length)
        {
            return false;
        }

        var rest = contents.Slice((int)offset, wanted.Length + 1);
        return rest[wanted.Length] == 0 && rest[..wanted.Length].SequenceEqual(wanted);
    }

    // ------------------------------------------------------------------ symbols

    private ElfSymbolTable? _firstSymbolTable;
    private bool _firstSymbolTableFound;

    /// <summary>The first SHT_SYMTAB, or null when the file has none. Found once: the linker asks for it per
    /// relocation, and a scan of vmlinux.o's 8945 section headers each time made its link 50x ld.bfd's time.</summary>
    public ElfSymbolTable? SymbolTable
    {
        get
        {
            if (!Volatile.Read(ref _firstSymbolTableFound))
            {
                var i = IndexOfHeaderType(ElfConstants.ShtSymtab);
                _firstSymbolTable = i < 0 ? null : GetSymbolTable(SectionAtIndex(i));
                Volatile.Write(ref _firstSymbolTableFound, true);
            }

            return _firstSymbolTable;
        }
    }

    /// <summary>
    /// False only when no symbol of the first SHT_SYMTAB can be named <paramref name="name"/>: its string table does
    /// not hold the bytes at all. A filter that reads no symbol: most files a tree scan opens lack the bounds symbols
    /// looked for, and decoding every symbol table to learn that was the largest cost of <c>check</c> on a module tree.
    /// Anything unusual (no table, a bad link) answers true, so the full lookup runs and reports it.
    /// </summary>
    /// <remarks>Any occurrence of the name and its NUL counts, not only one after a NUL: string tables share tails
    /// (bfd stores ".text" inside ".rela.text"), so a symbol's name may start inside a longer one; for the same
    /// reason a name ending in <paramref name="name"/> answers true too.</remarks>
    public bool SymbolNameMayExist(string name)
    {
        Span<byte> wanted = stackalloc byte[Encoding.UTF8.GetMaxByteCount(name.Length) + 1];
        var n = Encoding.UTF8.GetBytes(name, wanted);
        wanted[n] = 0;
        return SymbolNamesMayContain(wanted[..(n + 1)]);
    }

    private bool? _mayHaveSectionBounds;

    /// <summary>
    /// False only when no symbol of the first SHT_SYMTAB is named <c>__start_SECNAME</c> or <c>__stop_SECNAME</c> (the
    /// bounds GNU ld defines for a section): one scan per file, then each section's bounds are looked for only
    /// where some exist. Anything unusual answers true, as <see cref="SymbolNameMayExist"/> does.
    /// </summary>
    public bool MayHaveSectionBounds
    {
        get
        {
            if (_mayHaveSectionBounds is not { } known)
            {
                known = SymbolNamesMayContain("__start_"u8) || SymbolNamesMayContain("__stop_"u8);
                _mayHaveSectionBounds = known;
            }

            return known;
        }
    }

    /// <summary>
    /// The symbols <c>__start_NAME</c> and <c>__stop_NAME</c> of the first SHT_SYMTAB for section name
    /// <paramref name="sectionName"/>, as <see cref="ElfSymbolTable.IndicesOf"/> finds them (the lowest index, -1 when
    /// there is none), or null without checking the table when its strings cannot hold them: when
    /// <see cref="MayHaveSectionBounds"/> and <see cref="SymbolNameMayExist"/>(<c>"_" + NAME</c>) do not both answer
    /// true. The answer, and when the symbol table is checked, are those of the two filters followed by IndicesOf.
    /// </summary>
    /// <remarks>
    /// A large string table (vmlinux.o's is a megabyte) is searched for <c>"_" + NAME</c> first, to its end: not there
    /// rules the name out without the <c>__start_</c> search (which vmlinux.o only answers 764 KB in), and a
    /// <c>__start</c> or <c>__stop</c> just before it answers that search. A small table is filtered as before: most
    /// modules of a tree lack <c>__start_</c>, and one search of it rules out every name.
    /// </remarks>
    public (int Start, int Stop)? SectionBoundSymbols(string sectionName)
    {
        if (FirstSymtabStrings().Strings is { IsNoBits: false, Size: > LargeStringTable } strings
            ? !NameMayEndAString(strings, sectionName, out var bounded) || (!bounded && !MayHaveSectionBounds)
            : !MayHaveSectionBounds || !SymbolNameMayExist("_" + sectionName))
        {
            return null;
        }

        if (SymbolTable is not { } symtab)
        {
            return null;
        }

        string startName = "__start_" + sectionName, stopName = "__stop_" + sectionName;
        var found = symtab.IndicesOf(startName, stopName);
        return (found[startName], found[stopName]);
    }

    /// <summary>
    /// Whether <c>"_" + NAME + NUL</c> is in <paramref name="strings"/> (<see cref="SymbolNameMayExist"/>), and whether
    /// one of them follows <c>__start</c> or <c>__stop</c>, which makes it part of <c>__start_</c> or <c>__stop_</c>.
    /// </summary>
    private bool NameMayEndAString(ElfSection strings, string sectionName, out bool bounded)
    {
        var table = GetContents(strings);
        var tail = Encoding.UTF8.GetBytes("_" + sectionName + "\0");
        // Searched for without its leading underscores, which are then checked: the search tests the first byte
        // and the last, and '_' starts a candidate every few bytes of a kernel's string table.
        var lead = tail.AsSpan().IndexOfAnyExcept((byte)'_');
        var rest = tail.AsSpan(lead);
        var anywhere = false;
        bounded = false;
        for (int from = lead, k; !bounded && from < table.Length && (k = table[from..].IndexOf(rest)) >= 0; from += k + 1)
        {
            var at = from + k - lead;
            if (table.Slice(at, lead).ContainsAnyExcept((byte)'_'))
            {
                continue;
            }

            anywhere = true;
            bounded = (at >= 7 && table.Slice(at - 7, 7).SequenceEqual("__start"u8)) || (at >= 6 && table.Slice(at - 6, 6).SequenceEqual("__stop"u8));
        }

        return anywhere;
    }

    /// <summary>String tables larger than this are searched by <see cref="SectionBoundSymbols"/> for the name first.</summary>
    private const ulong LargeStringTable = 64 * 1024;

    /// <summary>The first SHT_SYMTAB's index (-1 when there is none) and the section its sh_link names when that is an
    /// SHT_STRTAB (else null), read from the headers without checking the symbol table.</summary>
    private (int Symtab, ElfSection? Strings) FirstSymtabStrings()
    {
        var i = IndexOfHeaderType(ElfConstants.ShtSymtab);
        if (i < 0)
        {
            return (-1, null);
        }

        var link = HeaderWord(HeaderTable(), i, ShLinkAt);
        return (i, link < (uint)_sections.Length && SectionAtIndex((int)link) is { Type: ElfConstants.ShtStrtab } strings ? strings : null);
    }

    private bool SymbolNamesMayContain(ReadOnlySpan<byte> bytes)
    {
        var (symtab, strings) = FirstSymtabStrings();
        if (symtab < 0)
        {
            return false;
        }

        if (strings is null)
        {
            return true;
        }

        try
        {
            return GetContents(strings).IndexOf(bytes) >= 0;
        }
        catch (ElfFormatException)
        {
            return true;
        }
    }

    public ElfSymbolTable GetSymbolTable(ElfSection section)
    {
        lock (_symbolTables)
        {
            if (!_symbolTables.TryGetValue(section.Index, out var table))
            {
                table = ReadSymbolTable(section);
                _symbolTables[section.Index] = table;
            }

            return table;
        }
    }

    private ElfSymbolTable ReadSymbolTable(ElfSection sec)
    {
        var where = sec.Describe();
        if (sec.Type is not (ElfConstants.ShtSymtab or ElfConstants.ShtDynsym))
        {
            throw Error(Path, ErrorIds.SymbolTableLink, where, sec.HeaderOffset, $"sh_type {sec.Type} is not a symbol table");
        }

        var entSize = (ulong)Header.ExpectedSymEntSize;
        if (sec.EntSize != entSize)
        {
            throw Error(Path, ErrorIds.BadSymbolEntrySize, where, sec.HeaderOffset,
                $"sh_entsize is {sec.EntSize}, expected {entSize}");
        }

        if (sec.Size % entSize != 0)
        {
            throw Error(Path, ErrorIds.TableSizeNotMultiple, where, sec.Offset,
                $"sh_size {sec.Size} is not a multiple of the symbol size {entSize}");
        }

        var strings = SectionAt(sec.Link, ErrorIds.SymbolTableLink, where, sec.HeaderOffset);
        if (strings.Type != ElfConstants.ShtStrtab)
        {
            throw Error(Path, ErrorIds.NotAStringTable, where, sec.HeaderOffset,
                $"sh_link {sec.Link} names {strings.Describe()} of sh_type {strings.Type}, expected SHT_STRTAB");
        }

        CheckNotOverlappingHeaders(sec);
        var count = sec.Size / entSize;
        if (sec.Info > count)
        {
            throw Error(Path, ErrorIds.SymbolTableInfo, where, sec.HeaderOffset,
                $"sh_info {sec.Info} (first non-local symbol) is past the {count} symbols in the table");
        }

        var shndx = FindShndxTable(sec, count);
        var shndxBytes = shndx is null ? ReadOnlySpan<byte>.Empty : GetContents(shndx);
        var data = GetContents(sec);
        var e = Endian;
        var n = (int)count;
        // Every entry is checked now (a bad one is an error at open, naming it), but none is kept: the table decodes
        // an entry from the file's bytes when asked, so a million-symbol vmlinux.o's load keeps no 32 MB array of
        // them (issue 14). The linker, which reads every entry many times, decodes them all once (DecodeAll).
        for (var i = 0; i < n; i++)
        {
            var sym = DecodeSymbol(e, data.Slice(i * (int)entSize, (int)entSize), shndxBytes.IsEmpty ? shndxBytes : shndxBytes.Slice(i * 4, 4));
            if (sym.SectionIndex == ElfConstants.ShnXindex && !sym.Extended)
            {
                throw Error(Path, ErrorIds.SymtabShndx, $"symbol [{i}] in {where}", sec.Offset + (ulong)(i * (int)entSize),
                    "st_shndx is SHN_XINDEX but there is no SHT_SYMTAB_SHNDX section for this table");
            }

            if (sym.IsInSection && sym.SectionIndex >= (uint)_sections.Length)
            {
                throw Error(Path, ErrorIds.SymbolSectionIndex, $"symbol [{i}] in {where}",
                    sec.Offset + (ulong)(i * (int)entSize) + (Header.Is64 ? 6UL : 14UL),
                    $"invalid section index: {sym.SectionIndex} (e_shnum is {_sections.Length})");
            }

            if (sym.NameOffset >= strings.Size && sym.NameOffset != 0)
            {
                throw Error(Path, ErrorIds.NameOutOfStringTable, $"symbol [{i}] in {where}", sec.Offset + (ulong)(i * (int)entSize),
                    $"st_name 0x{sym.NameOffset:x} is outside {strings.Describe()} ({strings.Size} bytes)");
            }
        }

        return new ElfSymbolTable(this, sec, strings, shndx, n);
    }

    /// <summary>Symbol <paramref name="i"/> of a table already checked by <see cref="ReadSymbolTable"/>.</summary>
    internal ElfSymbol DecodeSymbol(ElfSection symtab, ElfSection? shndx, int i)
    {
        var entSize = (ulong)Header.ExpectedSymEntSize;
        return DecodeSymbol(Endian, _bytes.Span(symtab.Offset + ((ulong)i * entSize), entSize),
            shndx is null ? ReadOnlySpan<byte>.Empty : _bytes.Span(shndx.Offset + ((ulong)i * 4), 4));
    }

    /// <summary>One Elf32_Sym / Elf64_Sym, its section index taken from its SHT_SYMTAB_SHNDX word when st_shndx is
    /// SHN_XINDEX and there is one (<paramref name="shndx"/> empty otherwise).</summary>
    private ElfSymbol DecodeSymbol(ElfEndian e, ReadOnlySpan<byte> s, ReadOnlySpan<byte> shndx)
    {
        var sym = Header.Is64
            ? new ElfSymbol(e.U32(s), e.U64(s[8..]), e.U64(s[16..]), s[4], s[5], e.U16(s[6..]))
            : new ElfSymbol(e.U32(s), e.U32(s[4..]), e.U32(s[8..]), s[12], s[13], e.U16(s[14..]));
        return sym.SectionIndex == ElfConstants.ShnXindex && !shndx.IsEmpty
            ? sym with { SectionIndex = e.U32(shndx), Extended = true }
            : sym;
    }

    private ElfSection? FindShndxTable(ElfSection symtab, ulong count)
    {
        var headers = HeaderTable();
        for (var i = 0; i < _sections.Length; i++)
        {
            if (HeaderWord(headers, i, ShTypeAt) == ElfConstants.ShtSymtabShndx && HeaderWord(headers, i, ShLinkAt) == (uint)symtab.Index)
            {
                var s = SectionAtIndex(i);
                if (s.Size != count * 4)
                {
                    throw Error(Path, ErrorIds.SymtabShndx, s.Describe(), s.HeaderOffset,
                        $"SHT_SYMTAB_SHNDX has {s.Size / 4} entries, but the symbol table associated has {count}");
                }

                _ = GetContents(s); // checked inside the file now
                return s;
            }
        }

        return null;
    }

    private void CheckNotOverlappingHeaders(ElfSection s)
    {
        if (s.FileSize == 0)
        {
            return;
        }

        var ehSize = (ulong)(Header.Is64 ? ElfHeader.Size64 : ElfHeader.Size32);
        var shEnd = Header.ShOff + (ulong)_sections.Length * Header.ShEntSize;
        var end = s.Offset + s.Size;
        if (s.Offset < ehSize || (s.Offset < shEnd && end > Header.ShOff))
        {
            var what = s.Offset < ehSize ? "the ELF header" : "the section header table";
            throw Error(Path, ErrorIds.OverlappingTables, s.Describe(), s.Offset,
                $"table contents 0x{s.Offset:x}+0x{s.Size:x} overlap {what}");
        }
    }

    // ------------------------------------------------------------------ relocations

    /// <summary>All relocation sections whose sh_info names <paramref name="target"/>.</summary>
    public IEnumerable<ElfSection> RelocationSectionsFor(ElfSection target)
    {
        // An iterator cannot hold the table's span across a yield: find each next one in a method that can.
        for (var i = NextRelocationSectionFor((uint)target.Index, 0); i >= 0; i = NextRelocationSectionFor((uint)target.Index, i + 1))
        {
            yield return SectionAtIndex(i);
        }
    }

    private int NextRelocationSectionFor(uint target, int from)
    {
        var table = HeaderTable();
        for (var i = from; i < _sections.Length; i++)
        {
            if (HeaderWord(table, i, ShTypeAt) is ElfConstants.ShtRel or ElfConstants.ShtRela && HeaderWord(table, i, ShInfoAt) == target)
            {
                return i;
            }
        }

        return -1;
    }

    public ElfRelocationTable GetRelocations(ElfSection sec)
    {
        var where = sec.Describe();
        var isRela = sec.Type == ElfConstants.ShtRela;
        var entSize = (ulong)(Header.Is64 ? (isRela ? 24 : 16) : (isRela ? 12 : 8));
        if (sec.EntSize != entSize)
        {
            throw Error(Path, ErrorIds.BadRelocationEntrySize, where, sec.HeaderOffset,
                $"sh_entsize is {sec.EntSize}, expected {entSize} for {(isRela ? "SHT_RELA" : "SHT_REL")}");
        }

        if (sec.Size % entSize != 0)
        {
            throw Error(Path, ErrorIds.TableSizeNotMultiple, where, sec.Offset,
                $"sh_size {sec.Size} is not a multiple of the relocation size {entSize}");
        }

        var symSec = SectionAt(sec.Link, ErrorIds.RelocationLink, where, sec.HeaderOffset);
        if (symSec.Type is not (ElfConstants.ShtSymtab or ElfConstants.ShtDynsym))
        {
            throw Error(Path, ErrorIds.RelocationLink, where, sec.HeaderOffset,
                $"sh_link {sec.Link} names {symSec.Describe()}, which is not a symbol table");
        }

        var target = SectionAt(sec.Info, ErrorIds.RelocationTarget, where, sec.HeaderOffset);
        var symbols = GetSymbolTable(symSec);
        CheckNotOverlappingHeaders(sec);

        // Every entry is checked now (a bad one is an error at open, naming it), but none is kept: the table decodes
        // an entry from the mapped bytes when asked, so four million relocations cost no managed memory (issue 14).
        var table = new ElfRelocationTable(sec, target, symbols, this, (int)entSize);
        for (var i = 0; i < table.Count; i++)
        {
            var r = table.At(i);
            var at = sec.Offset + (ulong)i * entSize;
            if (r.SymbolIndex >= (uint)symbols.Count)
            {
                throw Error(Path, ErrorIds.RelocationSymbolIndex, $"relocation [{i}] in {where}", at,
                    $"invalid symbol index {r.SymbolIndex} ({symbols.Section.Describe()} has {symbols.Count} symbols)");
            }

            // ET_REL offsets are section-relative; in linked images (e.g. .rela.dyn) they are addresses.
            if (Header.Type == ElfConstants.EtRel && target.Index != 0 && r.Offset >= target.Size)
            {
                throw Error(Path, ErrorIds.RelocationOffset, $"relocation [{i}] in {where}", at,
                    $"r_offset 0x{r.Offset:x} is outside {target.Describe()} ({target.Size} bytes)");
            }
        }

        return table;
    }

    /// <summary>
    /// Entry <paramref name="i"/> of a relocation section already checked by <see cref="GetRelocations"/>, decoded
    /// from the mapped bytes: r_offset, r_info split by the machine's rules, r_addend (0 for REL).
    /// </summary>
    internal ElfRelocation DecodeRelocation(ElfSection sec, int entSize, int i)
    {
        var s = _bytes.Span(sec.Offset + ((ulong)i * (ulong)entSize), (ulong)entSize);
        var e = Endian;
        var isRela = sec.Type == ElfConstants.ShtRela;
        if (Header.Is64)
        {
            var off = e.U64(s);
            long addend = isRela ? (long)e.U64(s[16..]) : 0;
            if (Header.Machine == ElfMachine.Mips)
            {
                // Elf64_Mips_Rel(a): r_sym (4 bytes, file order), r_ssym, r_type3, r_type2, r_type (1 byte each).
                // A plain 64-bit r_info read gets this wrong on little-endian MIPS64.
                return new ElfRelocation(off, e.U32(s[8..]), s[15], addend, isRela, s[14], s[13]);
            }

            var info = e.U64(s[8..]);
            return new ElfRelocation(off, (uint)(info >> 32), (uint)info, addend, isRela);
        }

        var info32 = e.U32(s[4..]);
        long addend32 = isRela ? (int)e.U32(s[8..]) : 0;
        return new ElfRelocation(e.U32(s), info32 >> 8, info32 & 0xff, addend32, isRela);
    }

    /// <summary>r_offset of entry <paramref name="i"/> alone (the relocation index searches on it).</summary>
    internal ulong RelocationOffset(ElfSection sec, int entSize, int i)
    {
        var s = _bytes.Span(sec.Offset + ((ulong)i * (ulong)entSize), Header.Is64 ? 8UL : 4UL);
        return Header.Is64 ? Endian.U64(s) : Endian.U32(s);
    }

    // ------------------------------------------------------------------ groups

    /// <summary>The flags word and member section indices of an SHT_GROUP section.</summary>
    public (uint Flags, int[] Members) GetGroup(ElfSection sec)
    {
        var where = sec.Describe();
        if (sec.Type != ElfConstants.ShtGroup || sec.Size < 4 || sec.Size % 4 != 0)
        {
            throw Error(Path, ErrorIds.BadGroup, where, sec.HeaderOffset,
                $"SHT_GROUP of {sec.Size} bytes: expected a non-empty multiple of 4 bytes");
        }

        var data = GetContents(sec);
        var flags = Endian.U32(data);
        var members = new int[(data.Length / 4) - 1];
        for (var i = 0; i < members.Length; i++)
        {
            var idx = Endian.U32(data[((i + 1) * 4)..]);
            if (idx == 0 || idx >= (uint)_sections.Length)
            {
                throw Error(Path, ErrorIds.BadGroup, where, sec.Offset + (ulong)((i + 1) * 4),
                    $"group member {i} names section {idx}, which does not exist");
            }

            members[i] = (int)idx;
        }

        return (flags, members);
    }

    public override string ToString() => Path;
}
