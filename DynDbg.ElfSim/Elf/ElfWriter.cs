using System.Buffers;
using System.Text;

namespace DynDbg.ElfSim.Elf;

/// <summary>
/// Writes an ELF file (ELF32/ELF64, either byte order; ET_REL is what the tool needs) from sections, symbols and
/// relocations. The symbol table, its string table, the relocation sections and the section-name table are made
/// here, with the gABI's rules: local symbols first (sh_info is the first non-local), each SHT_REL/SHT_RELA right
/// after the section it patches (as GNU as and ld place them), extended numbering (SHN_XINDEX, SHT_SYMTAB_SHNDX)
/// when there are 0xff00 sections or more. Contents are streamed, so a large linked object is never held twice.
/// </summary>
public sealed class ElfWriter
{
    private readonly List<ElfWriterSection> _sections = [];
    private readonly Dictionary<ElfWriterSection, List<RelocationTable>> _relocations = [];
    private readonly List<ElfWriterSymbol> _added = [];
    private IReadOnlyList<ElfWriterSymbol> _symbols;
    private EncodingLane? _lane;

    /// <summary>From this many symbols on, a file's string table is built while its contents are written.</summary>
    private const int OverlapSymbols = 4096;

    public ElfWriter(ElfIdentity identity)
    {
        Identity = identity;
        Endian = new ElfEndian(identity.IsBigEndian);
        _symbols = _added;
    }

    public ElfIdentity Identity { get; }

    private ElfEndian Endian { get; }

    public IReadOnlyList<ElfWriterSection> Sections => _sections;

    /// <summary>Adds a section; <paramref name="size"/> is used only when there is no content (SHT_NOBITS).</summary>
    public ElfWriterSection AddSection(string name, uint type, ulong flags, ElfContent? content = null, ulong size = 0)
    {
        if (type is ElfConstants.ShtSymtab or ElfConstants.ShtRel or ElfConstants.ShtRela or ElfConstants.ShtSymtabShndx)
        {
            throw new ArgumentException($"section type {type} is made by the writer itself", nameof(type));
        }

        var s = new ElfWriterSection(name, type, flags, content, size);
        _sections.Add(s);
        return s;
    }

    /// <summary>Adds a symbol and returns its ordinal (1, 2, ...) for relocations; 0 is the null symbol.</summary>
    public int AddSymbol(in ElfWriterSymbol symbol)
    {
        if (!ReferenceEquals(_symbols, _added))
        {
            throw new InvalidOperationException("the symbols were given as a whole list");
        }

        _added.Add(symbol);
        return _added.Count;
    }

    /// <summary>All symbols at once, in ordinal order, read when the file is written (a linker's own list, seen
    /// through a projection, rather than a second copy of a million symbols). The list is read from two threads at
    /// once (the string table is built beside the contents), so its indexer must not change shared state.</summary>
    public void SetSymbols(IReadOnlyList<ElfWriterSymbol> symbols)
    {
        if (_added.Count > 0)
        {
            throw new InvalidOperationException("symbols were already added one by one");
        }

        _symbols = symbols;
    }

    public int SymbolCount => _symbols.Count;

    /// <summary>
    /// Adds a relocation table for <paramref name="target"/>, named <c>.rela</c>/<c>.rel</c> + the target's name.
    /// Entries are written in the order given.
    /// </summary>
    public void AddRelocations(ElfWriterSection target, bool rela, ElfWriterRelocation[] entries)
    {
        if (!_relocations.TryGetValue(target, out var list))
        {
            list = [];
            _relocations[target] = list;
        }

        list.Add(new RelocationTable(target, rela, entries.Length, i => entries[i], true));
    }

    /// <summary>
    /// Adds a relocation table whose <paramref name="count"/> entries are made by <paramref name="entry"/> while the
    /// file is written (in index order), so millions of relocations never exist as objects at once. With
    /// <paramref name="threadSafe"/>, <paramref name="entry"/> may be called from two threads at once (on different
    /// indices, each thread's in order), and a big table is made on two cores.
    /// </summary>
    public void AddRelocations(ElfWriterSection target, bool rela, int count, Func<int, ElfWriterRelocation> entry, bool threadSafe = false)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (!_relocations.TryGetValue(target, out var list))
        {
            list = [];
            _relocations[target] = list;
        }

        list.Add(new RelocationTable(target, rela, count, entry, threadSafe));
    }

    /// <summary>Writes the whole file to <paramref name="path"/> through a temporary file and renames, so the path
    /// never holds part of a file (<see cref="AtomicFile"/>).</summary>
    public void WriteFile(string path) => AtomicFile.Write(path, WriteTo);

    /// <summary>The whole file in a temporary beside <paramref name="path"/>, for <see cref="AtomicFile.Commit"/>.</summary>
    public AtomicFile.Staged StageFile(string path) => AtomicFile.Stage(path, WriteTo);

    public byte[] ToArray()
    {
        // WriteTo sizes an empty MemoryStream to the file once the layout is known, so the array is allocated once and
        // handed out as it is: growing by doubling, then copying, took three times a large output (an AFL++ link
        // finding ran out of memory writing a 600 MB output in memory).
        using var ms = new MemoryStream();
        WriteTo(ms);
        return ms.Length == ms.Capacity ? ms.GetBuffer() : ms.ToArray();
    }

    /// <summary>
    /// Lay the file out as bfd does for a relocatable output (bfd/elf.c <c>assign_file_positions_except_relocs</c>,
    /// then <c>bfd_elf_final_link</c> and <c>_bfd_elf_assign_file_positions_for_relocs</c>): the sections with contents
    /// in header order, then .symtab (.symtab_shndx) and .strtab, then the relocation tables in header order, then
    /// .shstrtab; each at its sh_addralign. Otherwise every section goes in header order.
    /// </summary>
    public bool BfdFileOrder { get; init; }

    /// <summary>Told how many bytes were written as the file is streamed: 0 before the first section, then each
    /// section's size, a big symbol or relocation table's in chunks as they go out (a linker's input pages can be let
    /// go of as the output is streamed from them: a 1 MB relocation table reads 1 MB of its input).</summary>
    public Action<ulong>? SectionWritten { get; init; }

    private ulong _writtenInSection; // what WriteRecords reported of the section being written

    /// <summary>bfd/elf.c <c>assign_section_numbers</c> for a relocatable output: the SHT_GROUP sections first, the
    /// rest after them, each in list order; <paramref name="sections"/> itself when there is no group. The linker
    /// numbers its section symbols by the same rule.</summary>
    internal static IReadOnlyList<T> GroupsFirst<T>(IReadOnlyList<T> sections, Func<T, bool> isGroup) =>
        sections.Any(isGroup) ? [.. sections.Where(isGroup), .. sections.Where(x => !isGroup(x))] : sections;

    /// <summary>bfd aligns a section's file offset to any sh_addralign; past this a (mutated) input would make a sparse
    /// file of absurd size, so alignment stops here.</summary>
    private const ulong MaxBfdFileAlign = 1UL << 24;

    private static List<Slot> BfdOrder(List<Slot> slots, int symtab, int shndx, int strtab, int shstrtab)
    {
        bool IsTable(int i) => i == symtab || i == shndx || i == strtab || i == shstrtab;
        bool IsRel(Slot s) => s.Type is ElfConstants.ShtRel or ElfConstants.ShtRela;
        var order = new List<Slot>(slots.Count);
        for (var i = 1; i < slots.Count; i++)
        {
            if (!IsTable(i) && !IsRel(slots[i]))
            {
                order.Add(slots[i]);
            }
        }

        order.Add(slots[symtab]);
        if (shndx > 0)
        {
            order.Add(slots[shndx]);
        }

        order.Add(slots[strtab]);
        for (var i = 1; i < slots.Count; i++)
        {
            if (!IsTable(i) && IsRel(slots[i]))
            {
                order.Add(slots[i]);
            }
        }

        order.Add(slots[shstrtab]);
        return order;
    }

    // ------------------------------------------------------------------ layout

    private sealed record RelocationTable(ElfWriterSection Target, bool Rela, int Count, Func<int, ElfWriterRelocation> Entry, bool ThreadSafe);

    /// <summary>One entry of the section header table with everything resolved but the file offset.</summary>
    private sealed class Slot
    {
        public required string Name;
        public uint Type;
        public ulong Flags;
        public ulong Address;
        public ulong AddrAlign;
        public ulong EntSize;
        public ulong Size;
        public uint Link;
        public uint Info;
        public ulong Offset;
        public uint NameOffset;
        public Action<Stream>? Write;
    }

    public void WriteTo(Stream stream)
    {
        try
        {
            WriteLaidOut(stream);
        }
        finally
        {
            _lane?.Dispose();
            _lane = null;
        }
    }

    private void WriteLaidOut(Stream stream)
    {
        var id = Identity;
        var ptr = id.PointerSize;
        var slots = new List<Slot> { new() { Name = "" } };

        // Header order: each section followed by its relocation tables, then the symbol and string tables; bfd
        // numbers the SHT_GROUP sections first (bfd/elf.c assign_section_numbers).
        var headerOrder = BfdFileOrder ? GroupsFirst(_sections, x => x.Type == ElfConstants.ShtGroup) : _sections;
        foreach (var s in headerOrder)
        {
            s.Index = slots.Count;
            slots.Add(new Slot { Name = s.Name });
            s.RelocationIndex = -1;
            if (_relocations.TryGetValue(s, out var tables))
            {
                s.RelocationIndex = slots.Count;
                foreach (var t in tables)
                {
                    slots.Add(new Slot { Name = (t.Rela ? ".rela" : ".rel") + s.Name });
                }
            }
        }

        var symtabIndex = slots.Count;
        var symbols = OrderSymbols(out var ordinalToIndex, out var firstGlobal);
        var needShndx = symbols.Any(x => x.Section is { Index: >= ElfConstants.ShnLoReserve });
        slots.Add(new Slot { Name = ".symtab" });
        var shndxIndex = -1;
        if (needShndx)
        {
            shndxIndex = slots.Count;
            slots.Add(new Slot { Name = ".symtab_shndx" });
        }

        var strtabIndex = slots.Count;
        slots.Add(new Slot { Name = ".strtab" });
        var shstrtabIndex = slots.Count;
        slots.Add(new Slot { Name = ".shstrtab" });

        // Section contents and headers.
        var i = 1;
        foreach (var s in headerOrder)
        {
            var slot = slots[i++];
            slot.Type = s.Type;
            slot.Flags = s.Flags;
            slot.Address = s.Address;
            slot.AddrAlign = s.AddrAlign;
            slot.EntSize = s.EntSize;
            slot.Size = s.Size;
            slot.Link = s.LinksSymbolTable ? (uint)symtabIndex : s.Link is null ? 0 : (uint)s.Link.Index;
            slot.Info = s.InfoSection is not null ? (uint)s.InfoSection.Index
                : s.InfoSymbol > 0 ? (uint)ordinalToIndex[s.InfoSymbol]
                : s.Info;
            if (s.Content is { } content)
            {
                slot.Write = content.WriteTo;
            }

            if (_relocations.TryGetValue(s, out var tables))
            {
                foreach (var t in tables)
                {
                    var rs = slots[i++];
                    var entSize = (ulong)(id.Is64 ? (t.Rela ? 24 : 16) : (t.Rela ? 12 : 8));
                    rs.Type = t.Rela ? ElfConstants.ShtRela : ElfConstants.ShtRel;
                    rs.Flags = ElfConstants.ShfInfoLink | s.RelocationFlags;
                    rs.AddrAlign = (ulong)ptr;
                    rs.EntSize = entSize;
                    rs.Size = entSize * (ulong)t.Count;
                    rs.Link = (uint)symtabIndex;
                    rs.Info = (uint)s.Index;
                    var table = t;
                    rs.Write = st => WriteRelocations(st, table, ordinalToIndex);
                }
            }
        }

        var strtab = new StringTableBuilder(symbols.Count);
        var nameOffsets = new uint[symbols.Count]; // the name's string index first, its offset once finished
        void BuildStrtab()
        {
            for (var k = 0; k < symbols.Count; k++)
            {
                nameOffsets[k] = (uint)strtab.Add(symbols[k].Name);
            }

            strtab.Finish();
            for (var k = 0; k < symbols.Count; k++)
            {
                nameOffsets[k] = strtab.OffsetAt((int)nameOffsets[k]);
            }
        }

        // The names' string table (hashing, then the tail-merging sort: a tenth of a vmlinux.o link) is only needed
        // from .symtab on, which comes after the contents: a file is written while the lane builds it, and the ELF
        // header, which holds the section header table's offset, is written last. In memory or for a few symbols,
        // it is built first.
        var overlap = stream is FileStream { CanSeek: true } && symbols.Count >= OverlapSymbols;
        var origin = overlap ? stream.Position : 0; // where the header goes back to: the stream need not start at 0
        if (overlap)
        {
            (_lane ??= new EncodingLane()).Start(BuildStrtab);
        }
        else
        {
            BuildStrtab();
        }

        var symEnt = (ulong)(id.Is64 ? 24 : 16);
        var sym = slots[symtabIndex];
        sym.Type = ElfConstants.ShtSymtab;
        sym.AddrAlign = (ulong)ptr;
        sym.EntSize = symEnt;
        sym.Size = symEnt * (ulong)(symbols.Count + 1);
        sym.Link = (uint)strtabIndex;
        sym.Info = (uint)firstGlobal;
        sym.Write = st => WriteSymbols(st, symbols, nameOffsets);
        if (needShndx)
        {
            var x = slots[shndxIndex];
            x.Type = ElfConstants.ShtSymtabShndx;
            x.AddrAlign = 4;
            x.EntSize = 4;
            x.Size = 4UL * (ulong)(symbols.Count + 1);
            x.Link = (uint)symtabIndex;
            x.Write = st => WriteShndx(st, symbols);
        }

        var str = slots[strtabIndex];
        str.Type = ElfConstants.ShtStrtab;
        str.AddrAlign = 1;
        str.Write = strtab.WriteTo;

        var shstr = new StringTableBuilder();
        if (BfdFileOrder)
        {
            // bfd/elf.c _bfd_elf_init_file_header adds these three names before elf_fake_sections adds the sections'.
            shstr.Add(".symtab");
            shstr.Add(".strtab");
            shstr.Add(".shstrtab");
        }

        if (BfdFileOrder && !ReferenceEquals(headerOrder, _sections))
        {
            // elf_fake_sections names them in the output's section order, each relocation table after its section.
            foreach (var s in _sections)
            {
                shstr.Add(s.Name);
                if (_relocations.TryGetValue(s, out var tables))
                {
                    foreach (var t in tables)
                    {
                        shstr.Add((t.Rela ? ".rela" : ".rel") + s.Name);
                    }
                }
            }
        }

        foreach (var s in slots.Skip(1))
        {
            s.NameOffset = (uint)shstr.Add(s.Name); // the name's string index first, its offset once finished
        }

        shstr.Finish();
        foreach (var s in slots.Skip(1))
        {
            s.NameOffset = shstr.OffsetAt((int)s.NameOffset);
        }

        var sh = slots[shstrtabIndex];
        sh.Type = ElfConstants.ShtStrtab;
        sh.AddrAlign = 1;
        sh.Size = shstr.Size;
        sh.Write = shstr.WriteTo;

        // File offsets: header, contents in file order, then the section header table. Those from .strtab's on
        // wait for its size when the lane builds it.
        var fileOrder = BfdFileOrder
            ? BfdOrder(slots, symtabIndex, shndxIndex, strtabIndex, shstrtabIndex)
            : slots.Skip(1).ToList();
        var ehSize = (ulong)(id.Is64 ? ElfHeader.Size64 : ElfHeader.Size32);
        var offset = ehSize;
        var placed = 0;
        void Place(bool strtabKnown)
        {
            for (; placed < fileOrder.Count; placed++)
            {
                var s = fileOrder[placed];
                var align = Math.Max(1UL, Math.Min(s.AddrAlign, BfdFileOrder ? MaxBfdFileAlign : 64));
                if (s == str && !strtabKnown)
                {
                    return;
                }

                offset = AlignUp(offset, align);
                s.Offset = offset;
                if (s.Type != ElfConstants.ShtNobits)
                {
                    offset = checked(offset + s.Size);
                }
            }
        }

        ulong shOff = 0, fileSize = 0;
        var count = (ulong)slots.Count;
        var extended = count >= ElfConstants.ShnLoReserve;
        void PlaceRest()
        {
            str.Size = strtab.Size;
            Place(true);
            shOff = AlignUp(offset, (ulong)ptr);
            fileSize = checked(shOff + (count * (ulong)(id.Is64 ? 64 : 40)));
        }

        if (extended)
        {
            slots[0].Size = count;
        }

        if (shstrtabIndex >= ElfConstants.ShnLoReserve)
        {
            slots[0].Link = (uint)shstrtabIndex;
        }

        void Header() => WriteHeader(stream, shOff, extended ? (ushort)0 : (ushort)count,
            shstrtabIndex >= ElfConstants.ShnLoReserve ? ElfConstants.ShnXindex : (ushort)shstrtabIndex);
        var headerLate = overlap;
        if (overlap)
        {
            Place(strtabKnown: false);
            stream.Write(new byte[ehSize]); // the header's place, written once the layout is whole
        }
        else
        {
            PlaceRest();
            if (stream is MemoryStream { Length: 0 } memory && fileSize <= (ulong)Array.MaxLength)
            {
                memory.Capacity = (int)fileSize;
            }

            Header();
        }

        var position = ehSize;
        SectionWritten?.Invoke(0);
        foreach (var s in fileOrder)
        {
            if (overlap && s == sym)
            {
                _lane!.Join();
                overlap = false;
                PlaceRest();
            }

            if (s.Type == ElfConstants.ShtNobits || s.Write is null)
            {
                continue;
            }

            position = ElfContent.Zeros(stream, position, s.Offset);
            var before = stream.CanSeek ? stream.Position : -1;
            _writtenInSection = 0;
            s.Write(stream);
            if (before >= 0 && (ulong)(stream.Position - before) != s.Size)
            {
                throw new InvalidOperationException($"section '{s.Name}' wrote {stream.Position - before} bytes, expected {s.Size}");
            }

            position += s.Size;
            SectionWritten?.Invoke(s.Size - _writtenInSection);
        }

        ElfContent.Zeros(stream, position, shOff);
        WriteSectionHeaders(stream, slots);
        if (headerLate)
        {
            var end = stream.Position;
            stream.Position = origin;
            Header();
            stream.Position = end;
        }
    }

    private static ulong AlignUp(ulong v, ulong a) => a <= 1 ? v : checked((v + a - 1) / a * a);

    /// <summary>Locals first (in the order added), then the rest (in the order added), after the null symbol. A
    /// linker adds them in that order already: then the list itself is the table (no copy of a million symbols).</summary>
    private IReadOnlyList<ElfWriterSymbol> OrderSymbols(out int[] ordinalToIndex, out int firstGlobal)
    {
        ordinalToIndex = new int[_symbols.Count + 1];
        var locals = 0;
        while (locals < _symbols.Count && _symbols[locals].Binding == ElfConstants.StbLocal)
        {
            locals++;
        }

        var inOrder = true;
        for (var k = locals; k < _symbols.Count && inOrder; k++)
        {
            inOrder = _symbols[k].Binding != ElfConstants.StbLocal;
        }

        if (inOrder)
        {
            for (var k = 0; k < _symbols.Count; k++)
            {
                ordinalToIndex[k + 1] = k + 1;
            }

            firstGlobal = locals + 1;
            return _symbols;
        }

        var ordered = new ElfWriterSymbol[_symbols.Count];
        var n = 0;
        for (var k = 0; k < _symbols.Count; k++)
        {
            if (_symbols[k].Binding == ElfConstants.StbLocal)
            {
                ordered[n] = _symbols[k];
                ordinalToIndex[k + 1] = ++n;
            }
        }

        firstGlobal = n + 1;
        for (var k = 0; k < _symbols.Count; k++)
        {
            if (_symbols[k].Binding != ElfConstants.StbLocal)
            {
                ordered[n] = _symbols[k];
                ordinalToIndex[k + 1] = ++n;
            }
        }

        return ordered;
    }

    /// <summary>e_entry; 0 unless set (an ET_REL's is 0 but where ld found an entry symbol).</summary>
    public ulong Entry { get; set; }

    private void WriteHeader(Stream stream, ulong shOff, ushort shNum, ushort shStrNdx)
    {
        var id = Identity;
        var e = Endian;
        Span<byte> h = stackalloc byte[ElfHeader.Size64];
        h.Clear();
        h[0] = 0x7f;
        h[1] = (byte)'E';
        h[2] = (byte)'L';
        h[3] = (byte)'F';
        h[4] = id.Is64 ? ElfConstants.ElfClass64 : ElfConstants.ElfClass32;
        h[5] = id.IsBigEndian ? ElfConstants.ElfData2Msb : ElfConstants.ElfData2Lsb;
        h[6] = 1;
        h[7] = id.OsAbi;
        e.Put16(h[16..], id.Type);
        e.Put16(h[18..], (ushort)id.Machine);
        e.Put32(h[20..], 1);
        if (id.Is64)
        {
            e.Put64(h[24..], Entry);
            e.Put64(h[40..], shOff);
            e.Put32(h[48..], id.Flags);
            e.Put16(h[52..], ElfHeader.Size64);
            e.Put16(h[58..], 64);
            e.Put16(h[60..], shNum);
            e.Put16(h[62..], shStrNdx);
            stream.Write(h);
        }
        else
        {
            e.Put32(h[24..], unchecked((uint)Entry));
            e.Put32(h[32..], checked((uint)shOff));
            e.Put32(h[36..], id.Flags);
            e.Put16(h[40..], ElfHeader.Size32);
            e.Put16(h[46..], 40);
            e.Put16(h[48..], shNum);
            e.Put16(h[50..], shStrNdx);
            stream.Write(h[..ElfHeader.Size32]);
        }
    }

    private void WriteSectionHeaders(Stream stream, List<Slot> slots)
    {
        var e = Endian;
        var is64 = Identity.Is64;
        Span<byte> b = stackalloc byte[64];
        foreach (var s in slots)
        {
            b.Clear();
            e.Put32(b, s.NameOffset);
            e.Put32(b[4..], s.Type);
            if (is64)
            {
                e.Put64(b[8..], s.Flags);
                e.Put64(b[16..], s.Address);
                e.Put64(b[24..], s.Offset);
                e.Put64(b[32..], s.Size);
                e.Put32(b[40..], s.Link);
                e.Put32(b[44..], s.Info);
                e.Put64(b[48..], s.AddrAlign);
                e.Put64(b[56..], s.EntSize);
                stream.Write(b);
            }
            else
            {
                e.Put32(b[8..], checked((uint)s.Flags));
                e.Put32(b[12..], checked((uint)s.Address));
                e.Put32(b[16..], checked((uint)s.Offset));
                e.Put32(b[20..], checked((uint)s.Size));
                e.Put32(b[24..], s.Link);
                e.Put32(b[28..], s.Info);
                e.Put32(b[32..], checked((uint)s.AddrAlign));
                e.Put32(b[36..], checked((uint)s.EntSize));
                stream.Write(b[..40]);
            }
        }
    }

    private static ushort ShndxOf(in ElfWriterSymbol s) => s.Section is null
        ? s.SpecialIndex
        : s.Section.Index >= ElfConstants.ShnLoReserve ? ElfConstants.ShnXindex : (ushort)s.Section.Index;

    private void WriteSymbols(Stream stream, IReadOnlyList<ElfWriterSymbol> symbols, uint[] nameOffsets)
    {
        var e = Endian;
        var is64 = Identity.Is64;
        var size = is64 ? 24 : 16;
        stream.Write(new byte[size]);
        WriteRecords(stream, symbols.Count, size, threadSafe: true, (b, i) =>
        {
            var s = symbols[i];
            var info = (byte)((s.Binding << 4) | (s.Type & 0xf));
            e.Put32(b, nameOffsets[i]);
            if (is64)
            {
                b[4] = info;
                b[5] = s.Other;
                e.Put16(b[6..], ShndxOf(s));
                e.Put64(b[8..], s.Value);
                e.Put64(b[16..], s.Size);
            }
            else
            {
                // ELF32 fields are 32 bits; like bfd (H_PUT_32), keep the low half.
                e.Put32(b[4..], unchecked((uint)s.Value));
                e.Put32(b[8..], unchecked((uint)s.Size));
                b[12] = info;
                b[13] = s.Other;
                e.Put16(b[14..], ShndxOf(s));
            }
        });
    }

    /// <summary>Writes <paramref name="count"/> fixed-size records, encoded into a pooled buffer a chunk at a time
    /// (symbol and relocation tables run to millions of entries). When <paramref name="threadSafe"/> says
    /// <paramref name="encode"/> may run on two threads, a big table's chunks are encoded half here and half on the
    /// <see cref="EncodingLane"/>; the bytes are the same either way.</summary>
    private void WriteRecords(Stream stream, int count, int size, bool threadSafe, Action<Span<byte>, int> encode)
    {
        const int perChunk = 4096;
        const int parallelFrom = 1024; // below this, handing half a chunk over costs about what it saves
        // (The lane is busy while it builds the string table: the relocation tables written before .symtab in
        // section order are encoded here alone.)
        var lane = threadSafe && count >= parallelFrom ? _lane ??= new EncodingLane() : null;
        var buffer = ArrayPool<byte>.Shared.Rent(size * perChunk);
        try
        {
            for (var start = 0; start < count; start += perChunk)
            {
                var n = Math.Min(perChunk, count - start);
                var span = buffer.AsSpan(0, n * size);
                span.Clear();
                if (lane is null || lane.Busy || n < parallelFrom)
                {
                    Encode(buffer, size, start, 0, n, encode);
                }
                else
                {
                    var (first, half) = (start, n / 2);
                    lane.Run(() => Encode(buffer, size, first, 0, half, encode), () => Encode(buffer, size, first, half, n, encode));
                }

                stream.Write(span);
                _writtenInSection += (ulong)span.Length;
                SectionWritten?.Invoke((ulong)span.Length);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Records [<paramref name="from"/>, <paramref name="to"/>) of the chunk that starts at record <paramref name="first"/>.</summary>
    private static void Encode(byte[] buffer, int size, int first, int from, int to, Action<Span<byte>, int> encode)
    {
        for (var k = from; k < to; k++)
        {
            encode(buffer.AsSpan(k * size, size), first + k);
        }
    }

    private void WriteShndx(Stream stream, IReadOnlyList<ElfWriterSymbol> symbols)
    {
        Span<byte> b = stackalloc byte[4];
        b.Clear();
        stream.Write(b);
        foreach (var s in symbols)
        {
            Endian.Put32(b, s.Section is { Index: >= ElfConstants.ShnLoReserve } sec ? (uint)sec.Index : 0);
            stream.Write(b);
        }
    }

    private void WriteRelocations(Stream stream, RelocationTable t, int[] ordinalToIndex)
    {
        var e = Endian;
        var id = Identity;
        var size = id.Is64 ? (t.Rela ? 24 : 16) : (t.Rela ? 12 : 8);
        WriteRecords(stream, t.Count, size, t.ThreadSafe, (b, i) =>
        {
            var r = t.Entry(i);
            if ((uint)r.Symbol >= (uint)ordinalToIndex.Length)
            {
                throw new ArgumentOutOfRangeException(nameof(t), $"relocation names symbol ordinal {r.Symbol}, but only {ordinalToIndex.Length - 1} symbols were added");
            }

            var symIndex = (uint)ordinalToIndex[r.Symbol];
            if (id.Is64)
            {
                e.Put64(b, r.Offset);
                if (id.IsMips64)
                {
                    // Elf64_Mips_Rel(a): r_sym, r_ssym, r_type3, r_type2, r_type.
                    e.Put32(b[8..], symIndex);
                    b[12] = 0;
                    b[13] = r.Type3;
                    b[14] = r.Type2;
                    b[15] = (byte)r.Type;
                }
                else
                {
                    e.Put64(b[8..], ((ulong)symIndex << 32) | r.Type);
                }

                if (t.Rela)
                {
                    e.Put64(b[16..], (ulong)r.Addend);
                }
            }
            else
            {
                e.Put32(b, unchecked((uint)r.Offset));
                e.Put32(b[4..], (symIndex << 8) | (r.Type & 0xff));
                if (t.Rela)
                {
                    e.Put32(b[8..], (uint)r.Addend);
                }
            }
        });
    }

    /// <summary>
    /// A string table with the leading NUL. Like bfd's <c>_bfd_elf_strtab_finalize</c>, a string that ends another
    /// one is stored as that one's tail (".text" inside ".rela.text"), comparing bytes as bfd does. The strings are
    /// kept as UTF-8, back to back in 64 KB chunks, and found again through a hash of their bytes: names read from an
    /// input's string table never become strings (<see cref="SymbolName"/>).
    /// </summary>
    private sealed class StringTableBuilder
    {
        private const int ChunkSize = 64 << 10;
        private readonly List<byte[]> _chunks = [];
        private int _used; // bytes used in the last chunk
        private Entry[] _entries; // string k is _entries[k].Length bytes at Start in _chunks[Chunk]
        private int[] _buckets; // 1-based heads
        private int _count;
        private uint[] _offsets = [];
        private int[]? _owners; // after Finish: the strings written, in order
        private long _size;

        /// <summary>One string: where its bytes are, its hash and the next in its hash chain (1-based), side by side,
        /// so that a probe reads one entry rather than five arrays.</summary>
        private struct Entry
        {
            public int Chunk;
            public int Start;
            public int Length;
            public int Hash;
            public int Next;
        }

        public StringTableBuilder(int capacity = 0)
        {
            capacity = Math.Max(capacity, 16);
            _entries = new Entry[capacity];
            _buckets = new int[BucketCount(capacity)];
        }

        private static int BucketCount(int capacity) => (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)capacity);

        private ReadOnlySpan<byte> At(int k) => _chunks[_entries[k].Chunk].AsSpan(_entries[k].Start, _entries[k].Length);

        private static int Hash(ReadOnlySpan<byte> s)
        {
            // FNV-1a: the table only finds strings again, so any spread will do; this one needs no seed.
            var h = 2166136261u;
            foreach (var b in s)
            {
                h = (h ^ b) * 16777619u;
            }

            return (int)(h & 0x7fffffff);
        }

        /// <summary>Adds the string once; returns its index for <see cref="OffsetAt"/> (-1 for the empty string,
        /// which is offset 0).</summary>
        public int Add(in SymbolName name) => name.TryGetUtf8(out var utf8) ? Add(utf8) : Add(name.ToString());

        public int Add(string s)
        {
            if (s.Length == 0)
            {
                return -1;
            }

            var n = Encoding.UTF8.GetByteCount(s);
            var buffer = n <= 256 ? stackalloc byte[256] : new byte[n];
            Encoding.UTF8.GetBytes(s, buffer);
            return Add(buffer[..n]);
        }

        public int Add(ReadOnlySpan<byte> s)
        {
            if (s.Length == 0)
            {
                return -1;
            }

            var index = Find(s, out var hash);
            if (index >= 0)
            {
                return index;
            }

            if (_count == _entries.Length)
            {
                Grow();
            }

            // Chunks, not one regrown array: no copies, and at most a chunk's slack (a vmlinux.o link adds 1.2 MB).
            if (_chunks.Count == 0 || _used + s.Length > _chunks[^1].Length)
            {
                _chunks.Add(new byte[Math.Max(ChunkSize, s.Length)]);
                _used = 0;
            }

            s.CopyTo(_chunks[^1].AsSpan(_used));
            index = _count++;
            var b = hash & (_buckets.Length - 1);
            _entries[index] = new Entry { Chunk = _chunks.Count - 1, Start = _used, Length = s.Length, Hash = hash, Next = _buckets[b] };
            _used += s.Length;
            _buckets[b] = index + 1;
            return index;
        }

        private int Find(ReadOnlySpan<byte> s, out int hash)
        {
            hash = Hash(s);
            for (var k = _buckets[hash & (_buckets.Length - 1)] - 1; k >= 0; k = _entries[k].Next - 1)
            {
                if (_entries[k].Hash == hash && At(k).SequenceEqual(s))
                {
                    return k;
                }
            }

            return -1;
        }

        private void Grow()
        {
            var capacity = _entries.Length * 2;
            Array.Resize(ref _entries, capacity);
            _buckets = new int[BucketCount(capacity)];
            for (var k = 0; k < _count; k++)
            {
                var b = _entries[k].Hash & (_buckets.Length - 1);
                _entries[k].Next = _buckets[b];
                _buckets[b] = k + 1;
            }
        }

        public uint OffsetAt(int index) => index < 0 ? 0 : _offsets[index];

        /// <summary>The table's size once <see cref="Finish"/>ed.</summary>
        public ulong Size => (ulong)_size;

        /// <summary>Writes the finished table: the leading NUL, then each string that is no other's tail, in the
        /// order added, with its NUL (streamed from the chunks, no copy of the whole table).</summary>
        public void WriteTo(Stream stream)
        {
            stream.WriteByte(0);
            foreach (var k in _owners!)
            {
                stream.Write(At(k));
                stream.WriteByte(0);
            }
        }

        public void Finish()
        {
            if (_owners is not null)
            {
                return;
            }

            // Sorted by reversed bytes, a string's extensions follow it; walking backwards, each string is either a
            // tail of the last owner seen or a new owner. Primitive sorts only (Array.Sort of numbers compares
            // inline; a comparer is a call per comparison): the last eight bytes, reversed, as one number; then, in
            // each run sharing those, the four before them; only runs sharing all twelve are sorted by
            // CompareReversed. A shorter string's zero padding sorts it first, as CompareReversed does. (The sort
            // was a fifth of a vmlinux.o link; with eight bytes, names ending alike, "_handler", still went through
            // the comparer for a third of the string table's time.)
            var keys = new ulong[_count];
            var order = new int[_count];
            for (var k = 0; k < keys.Length; k++)
            {
                keys[k] = Reversed(At(k), 0, 8);
                order[k] = k;
            }

            Array.Sort(keys, order);
            Comparison<int>? compare = null;
            for (var start = 0; start < keys.Length;)
            {
                var end = start + 1;
                while (end < keys.Length && keys[end] == keys[start])
                {
                    end++;
                }

                if (end - start > 1)
                {
                    // The run's keys are all the same: reused for the next four bytes above the string's index.
                    for (var i = start; i < end; i++)
                    {
                        keys[i] = (Reversed(At(order[i]), 8, 4) << 32) | (uint)order[i];
                    }

                    Array.Sort(keys, start, end - start);
                    for (var i = start; i < end; i++)
                    {
                        order[i] = (int)(uint)keys[i];
                    }

                    for (var i = start; i < end;)
                    {
                        var same = i + 1;
                        while (same < end && keys[same] >> 32 == keys[i] >> 32)
                        {
                            same++;
                        }

                        if (same - i > 1)
                        {
                            compare ??= (x, y) => CompareReversed(At(x), At(y));
                            order.AsSpan(i, same - i).Sort(compare);
                        }

                        i = same;
                    }
                }

                start = end;
            }

            // Walking backwards, a tail's offset slot holds its owner's index until the owners are placed (an owner
            // is never a tail, so the owner a tail names has its offset by then); one bit a string says which.
            var offsets = new uint[_count];
            var tail = new ulong[(_count + 63) / 64];
            var owner = -1;
            var owners = 0;
            for (var i = order.Length - 1; i >= 0; i--)
            {
                var k = order[i];
                if (owner >= 0 && At(owner).EndsWith(At(k)))
                {
                    offsets[k] = (uint)owner;
                    tail[k >> 6] |= 1UL << k;
                }
                else
                {
                    owner = k;
                    owners++;
                }
            }

            var written = new int[owners]; // the owners in the order added
            var n = 0;
            var at = 1L;
            for (var k = 0; k < _count; k++)
            {
                if ((tail[k >> 6] & (1UL << k)) == 0)
                {
                    offsets[k] = checked((uint)at);
                    at += _entries[k].Length + 1;
                    written[n++] = k;
                }
            }

            for (var k = 0; k < _count; k++)
            {
                if ((tail[k >> 6] & (1UL << k)) != 0)
                {
                    var o = (int)offsets[k];
                    offsets[k] = offsets[o] + (uint)(_entries[o].Length - _entries[k].Length); // the tail ends where its owner does
                }
            }

            _offsets = offsets;
            _owners = written;
            _size = at;
        }

        /// <summary><paramref name="count"/> bytes from the end after the last <paramref name="skip"/>, the last
        /// first, as one number; zeros past the start of a shorter string.</summary>
        private static ulong Reversed(ReadOnlySpan<byte> t, int skip, int count)
        {
            ulong key = 0;
            for (var i = skip + 1; i <= skip + count; i++)
            {
                key = (key << 8) | (i <= t.Length ? t[^i] : 0u);
            }

            return key;
        }

        private static int CompareReversed(ReadOnlySpan<byte> x, ReadOnlySpan<byte> y)
        {
            var n = Math.Min(x.Length, y.Length);
            for (var i = 1; i <= n; i++)
            {
                var d = x[^i].CompareTo(y[^i]);
                if (d != 0)
                {
                    return d;
                }
            }

            return x.Length.CompareTo(y.Length);
        }
    }
}
