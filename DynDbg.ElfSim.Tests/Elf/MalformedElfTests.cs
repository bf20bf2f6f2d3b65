using DynDbg.ElfSim.Diagnostics;
using DynDbg.ElfSim.DynDbg;
using DynDbg.ElfSim.Elf;

namespace DynDbg.ElfSim.Tests.Elf;

/// <summary>
/// The classic malformed-ELF cases (tool-conventions §3), each made from a real sample with one field changed,
/// each expected to raise exactly one stable ID at the byte offset where the problem is.
/// </summary>
[TestFixture]
public class MalformedElfTests
{
    private const string Arch = "x86_64";
    private const string Ko = "alpha.ko";

    // Elf64_Shdr field offsets (gABI).
    private const int ShName = 0, ShType = 4, ShOffset = 24, ShSize = 32, ShLink = 40, ShInfo = 44, ShEntSize = 56;

    private static byte[] Sample() => ElfBytesPatch.Read(Arch, Ko);

    private static ElfSection Section(byte[] data, string name) => ElfBytesPatch.Describe(data).Sections.First(s => s.Name == name);

    private static ElfSection SectionOfType(byte[] data, uint type) => ElfBytesPatch.Describe(data).Sections.First(s => s.Type == type);

    private static void PutLe(byte[] data, ulong offset, ulong value, int width) => ElfBytesPatch.Put(data, (long)offset, value, width, false);

    private static DiagnosticException Expect(byte[] data, string id)
    {
        var e = ElfBytesPatch.Raised(data);
        e.Should().NotBeNull($"the fixture should raise {id}");
        e!.Id.Should().Be(id, e.OneLine);
        return e;
    }

    [Test]
    public void EmptyFile_IsTooSmall()
    {
        Expect([], ErrorIds.FileTooSmall).Offset.Should().Be(0);
    }

    [Test]
    public void TwentyBytesOfHeader_IsTooSmallForElf64()
    {
        var e = Expect(Sample()[..20], ErrorIds.FileTooSmall);
        e.Message.Should().Contain("too small for an ELF64 header (64 bytes)");
    }

    [Test]
    public void WrongMagic()
    {
        var d = Sample();
        d[1] = (byte)'X';
        Expect(d, ErrorIds.BadMagic).Offset.Should().Be(0);
    }

    [TestCase(4, 3, ErrorIds.BadClass)]
    [TestCase(5, 0, ErrorIds.BadDataEncoding)]
    [TestCase(6, 2, ErrorIds.BadVersion)]
    public void BadIdentByte(int index, byte value, string id)
    {
        var d = Sample();
        d[index] = value;
        Expect(d, id).Offset.Should().Be((ulong)index);
    }

    [Test]
    public void WrongEhSize()
    {
        var d = Sample();
        PutLe(d, 52, 60, 2);
        Expect(d, ErrorIds.BadHeaderSize).Offset.Should().Be(52);
    }

    /// <summary>One header reader serves both classes and byte orders: the offsets stay those of each class's layout.</summary>
    [TestCase("x86_64", 52, 64)]
    [TestCase("i386", 40, 52)]
    [TestCase("s390x", 52, 64)]
    public void WrongEhSize_EachClass(string arch, int at, int size)
    {
        var d = ElfBytesPatch.Read(arch, Ko);
        ElfBytesPatch.Put(d, at, 60, 2, ElfBytesPatch.Describe(d).Header.IsBigEndian);
        var e = Expect(d, ErrorIds.BadHeaderSize);
        e.Offset.Should().Be((ulong)at);
        e.Message.Should().Be($"e_ehsize is 60, expected {size}");
    }

    [TestCase("x86_64")]
    [TestCase("i386")]
    [TestCase("s390x")]
    public void WrongEVersion_EachClass(string arch)
    {
        var d = ElfBytesPatch.Read(arch, Ko);
        ElfBytesPatch.Put(d, 20, 2, 4, ElfBytesPatch.Describe(d).Header.IsBigEndian);
        var e = Expect(d, ErrorIds.BadVersion);
        e.Offset.Should().Be(20);
        e.Message.Should().Be("e_version is 2, expected 1 (EV_CURRENT)");
    }

    [Test]
    public void ZeroShEntSize()
    {
        var d = Sample();
        PutLe(d, 58, 0, 2);
        Expect(d, ErrorIds.BadSectionHeaderEntrySize).Message.Should().Contain("e_shentsize is 0, expected 64");
    }

    [Test]
    public void SectionHeaderTablePastEnd()
    {
        var d = Sample();
        PutLe(d, 40, (ulong)d.Length + 8, 8);
        Expect(d, ErrorIds.SectionHeadersOutOfFile).Offset.Should().Be((ulong)d.Length + 8);
    }

    [Test]
    public void SectionCountPastEnd()
    {
        var d = Sample();
        PutLe(d, 60, 0xfe00, 2);
        Expect(d, ErrorIds.SectionHeadersOutOfFile).Message.Should().Contain("65024 section headers");
    }

    [Test]
    public void ShStrNdxOutOfRange()
    {
        var d = Sample();
        var (h, _) = ElfBytesPatch.Describe(d);
        PutLe(d, 62, h.ShNum, 2);
        var e = Expect(d, ErrorIds.SectionNameTableIndex);
        e.Offset.Should().Be(62);
        e.Message.Should().Be($"section header string table index {h.ShNum} does not exist (e_shnum is {h.ShNum})");
    }

    [Test]
    public void ExtendedNumbering_ZeroCountInSectionZero()
    {
        var d = Sample();
        var (h, _) = ElfBytesPatch.Describe(d);
        PutLe(d, 60, 0, 2);
        Expect(d, ErrorIds.ExtendedNumbering).Offset.Should().Be(h.ShOff);
    }

    [Test]
    public void ExtendedNumbering_CountAndNameIndexFromSectionZero_Decodes()
    {
        // e_shnum = 0 and e_shstrndx = SHN_XINDEX: the real values move to section 0's sh_size and sh_link.
        var d = Sample();
        var (h, _) = ElfBytesPatch.Describe(d);
        PutLe(d, 60, 0, 2);
        PutLe(d, 62, ElfConstants.ShnXindex, 2);
        PutLe(d, h.ShOff + ShSize, h.ShNum, 8);
        PutLe(d, h.ShOff + ShLink, h.ShStrNdx, 4);
        ElfBytesPatch.Raised(d).Should().BeNull();
        using var f = ElfFile.FromBytes("x", d);
        f.Sections.Should().HaveCount(h.ShNum);
        f.FindSection("__dyndbg").Should().NotBeNull();
    }

    [Test]
    public void SectionContentsPastEnd()
    {
        var d = Sample();
        var s = Section(d, "__dyndbg");
        PutLe(d, s.HeaderOffset + ShOffset, (ulong)d.Length - 8, 8);
        var e = Expect(d, ErrorIds.SectionOutOfFile);
        e.Offset.Should().Be(s.HeaderOffset + ShOffset);
        e.Where.Should().Be($"section [{s.Index}]");
    }

    [Test]
    public void HugeSectionSize_DoesNotOverflow()
    {
        var d = Sample();
        var s = Section(d, "__dyndbg");
        PutLe(d, s.HeaderOffset + ShSize, 0xffff_ffff_ffff_fff0, 8);
        Expect(d, ErrorIds.SectionOutOfFile).Message.Should().Contain("0xfffffffffffffff0");
    }

    [Test]
    public void SectionNameOutOfTable()
    {
        var d = Sample();
        var s = Section(d, "__dyndbg");
        PutLe(d, s.HeaderOffset + ShName, 0x7fff_0000, 4);
        Expect(d, ErrorIds.NameOutOfStringTable).Where.Should().Be($"section [{s.Index}]");
    }

    [Test]
    public void UnterminatedSectionName()
    {
        var d = Sample();
        var (h, secs) = ElfBytesPatch.Describe(d);
        var names = secs[h.ShStrNdx];
        d[names.Offset + names.Size - 1] = (byte)'x';
        PutLe(d, secs[1].HeaderOffset + ShName, names.Size - 1, 4);
        Expect(d, ErrorIds.UnterminatedString).Offset.Should().Be(names.Offset + names.Size - 1);
    }

    [Test]
    public void SectionNameTableIsNotStrtab()
    {
        var d = Sample();
        var (h, secs) = ElfBytesPatch.Describe(d);
        PutLe(d, secs[h.ShStrNdx].HeaderOffset + ShType, ElfConstants.ShtProgbits, 4);
        Expect(d, ErrorIds.NotAStringTable);
    }

    [Test]
    public void SymbolEntrySizeWrong()
    {
        var d = Sample();
        var symtab = SectionOfType(d, ElfConstants.ShtSymtab);
        PutLe(d, symtab.HeaderOffset + ShEntSize, 16, 8);
        var e = Expect(d, ErrorIds.BadSymbolEntrySize);
        e.Where.Should().Be(symtab.Describe());
        e.Message.Should().Be("sh_entsize is 16, expected 24");
    }

    [Test]
    public void SymbolTableSizeNotMultiple()
    {
        var d = Sample();
        var symtab = SectionOfType(d, ElfConstants.ShtSymtab);
        PutLe(d, symtab.HeaderOffset + ShSize, symtab.Size - 5, 8);
        Expect(d, ErrorIds.TableSizeNotMultiple).Offset.Should().Be(symtab.Offset);
    }

    [Test]
    public void SymbolSectionIndexOutOfRange()
    {
        var d = Sample();
        var symtab = SectionOfType(d, ElfConstants.ShtSymtab);
        var sym = 3UL; // a section symbol of the sample
        PutLe(d, symtab.Offset + (sym * 24) + 6, 0xfe00, 2);
        var e = Expect(d, ErrorIds.SymbolSectionIndex);
        e.Offset.Should().Be(symtab.Offset + (sym * 24) + 6);
        e.Message.Should().StartWith("invalid section index: 65024");
    }

    [Test]
    public void SymbolTableOverlapsElfHeader()
    {
        var d = Sample();
        var symtab = SectionOfType(d, ElfConstants.ShtSymtab);
        PutLe(d, symtab.HeaderOffset + ShOffset, 0, 8);
        Expect(d, ErrorIds.OverlappingTables).Message.Should().Contain("overlap the ELF header");
    }

    [Test]
    public void RelocationEntrySizeWrong()
    {
        var d = Sample();
        var rela = Section(d, ".rela__dyndbg");
        PutLe(d, rela.HeaderOffset + ShEntSize, 16, 8);
        Expect(d, ErrorIds.BadRelocationEntrySize).Where.Should().Be(rela.Describe());
    }

    [Test]
    public void RelocationSymbolIndexOutOfRange()
    {
        var d = Sample();
        var rela = Section(d, ".rela__dyndbg");
        PutLe(d, rela.Offset + 24 + 12, 0x00ff_ffff, 4); // entry 1, high half of r_info
        var e = Expect(d, ErrorIds.RelocationSymbolIndex);
        e.Where.Should().Be($"relocation [1] in {rela.Describe()}");
        e.Offset.Should().Be(rela.Offset + 24);
    }

    [Test]
    public void RelocationLinkNotASymbolTable()
    {
        var d = Sample();
        var rela = Section(d, ".rela__dyndbg");
        PutLe(d, rela.HeaderOffset + ShLink, (ulong)Section(d, "__dyndbg").Index, 4);
        Expect(d, ErrorIds.RelocationLink);
    }

    [Test]
    public void RelocationTargetOutOfRange_WhenReadDirectly()
    {
        var d = Sample();
        var rela = Section(d, ".rela__dyndbg");
        PutLe(d, rela.HeaderOffset + ShInfo, 9999, 4);
        using var f = ElfFile.FromBytes("x.o", d);
        var act = () => f.GetRelocations(f.Sections[rela.Index]);
        act.Should().Throw<ElfFormatException>().Which.Id.Should().Be(ErrorIds.RelocationTarget);
    }

    [Test]
    public void RelocationOffsetOutsideTarget()
    {
        var d = Sample();
        var rela = Section(d, ".rela__dyndbg");
        PutLe(d, rela.Offset + 48, 0x10_0000, 8);
        Expect(d, ErrorIds.RelocationOffset).Where.Should().Be($"relocation [2] in {rela.Describe()}");
    }

    [Test]
    public void UnsupportedRelocationTypeAtAPointer()
    {
        var d = Sample();
        var rela = Section(d, ".rela__dyndbg");
        PutLe(d, rela.Offset + 8, 2, 4); // entry 0: R_X86_64_PC32 instead of R_X86_64_64
        var e = Expect(d, ErrorIds.UnsupportedRelocation);
        e.Message.Should().Contain("relocation type 2");
        e.Offset.Should().Be(Section(d, "__dyndbg").Offset);
    }

    [Test]
    public void RelocationAgainstUndefinedSymbol_IsAnUnresolvedPointer()
    {
        var d = Sample();
        var rela = Section(d, ".rela__dyndbg");
        PutLe(d, rela.Offset + 12, 0, 4); // entry 0 now uses the null symbol (SHN_UNDEF)
        Expect(d, ErrorIds.UnresolvedPointer).Message.Should().Contain("undefined symbol");
    }

    [Test]
    public void PointerPastItsSection()
    {
        var d = Sample();
        var rela = Section(d, ".rela__dyndbg");
        PutLe(d, rela.Offset + 16, 0x7fff_ffff, 8);
        Expect(d, ErrorIds.PointerIntoNowhere).Message.Should().Contain("outside the section");
    }

    [Test]
    public void PointerWithTheMostNegativeAddend()
    {
        // Found by the long mutation run: formatting -2^63 took Math.Abs(long.MinValue) and overflowed.
        var d = Sample();
        var rela = Section(d, ".rela__dyndbg");
        PutLe(d, rela.Offset + 16, 0x8000_0000_0000_0000, 8);
        Expect(d, ErrorIds.PointerIntoNowhere).Message.Should().Contain("-0x8000000000000000 is outside the section");
    }

    [Test]
    public void TableNotAWholeNumberOfRecords()
    {
        var d = Sample();
        var s = Section(d, "__dyndbg");
        PutLe(d, s.HeaderOffset + ShSize, s.Size - 8, 8);
        var e = Expect(d, DyndbgErrorIds.RecordSizeMismatch);
        e.Message.Should().Be($"size {s.Size - 8} is not a whole number of records of 56 (JUMP_LABEL=y) or 40 (JUMP_LABEL=n) bytes");
        e.Offset.Should().Be(s.Offset);
    }

    [Test]
    public void ClassNamesArrayPastItsSection_IsReadPastSection()
    {
        // Found by the mutation run: class_names pointing 4 bytes before the end of .data made the 8-byte read of
        // class_names[0] run off the section (an ArgumentOutOfRangeException before DYN011 existed).
        var d = ElfBytesPatch.Read("x86_64", "vmlinux.o");
        using var f = ElfFile.FromBytes("vmlinux.o", (byte[])d.Clone());
        var classes = f.FindSection("__dyndbg_classes")!;
        var rela = f.GetRelocations(f.RelocationSectionsFor(classes).Single());
        var i = rela.Entries.ToArray().ToList().FindIndex(r => r.Offset == 32); // class_names
        var target = f.Sections[(int)rela.Symbols[(int)rela.Entries[i].SymbolIndex].SectionIndex];
        PutLe(d, rela.Section.Offset + ((ulong)i * 24) + 16, target.Size - 4, 8);
        var e = Expect(d, ErrorIds.ReadPastSection);
        e.Where.Should().Be(target.Describe());
        e.Offset.Should().Be(target.Offset + target.Size - 4);
    }

    [Test]
    public void OneLine_NamesFileWhereAndOffset()
    {
        var d = Sample();
        var s = Section(d, "__dyndbg");
        PutLe(d, s.HeaderOffset + ShOffset, (ulong)d.Length, 8);
        PutLe(d, s.HeaderOffset + ShSize, 56, 8);
        var e = Expect(d, ErrorIds.SectionOutOfFile);
        e.OneLine.Should().Be(
            $"fixture.o: error ELF011: section [{s.Index}], offset 0x{s.HeaderOffset + ShOffset:x}: contents 0x{d.Length:x}+0x38 extend past the end of the file ({d.Length} bytes)");
    }

    [Test]
    public void BigEndian_SectionHeaderFieldsAreReadBigEndian()
    {
        var d = ElfBytesPatch.Read("s390x", "alpha.ko");
        var (h, secs) = ElfBytesPatch.Describe(d);
        h.IsBigEndian.Should().BeTrue();
        var s = secs.First(x => x.Name == "__dyndbg");
        ElfBytesPatch.Put(d, (long)(s.HeaderOffset + ShSize), s.Size + 1, 8, bigEndian: true);
        Expect(d, DyndbgErrorIds.RecordSizeMismatch);
    }

    [Test]
    public void Elf32_RelSymbolIndexOutOfRange()
    {
        var d = ElfBytesPatch.Read("i386", "alpha.ko");
        var rel = ElfBytesPatch.Describe(d).Sections.First(x => x.Name == ".rel__dyndbg");
        d[rel.Offset + 4 + 3] = 0xff; // r_info's symbol field (bits 8..31), little-endian
        Expect(d, ErrorIds.RelocationSymbolIndex).Where.Should().Be($"relocation [0] in {rel.Describe()}");
    }

    /// <summary>AFL++ (issue 18, Fuzz/Findings/elf): an empty .shstrtab whose sh_offset is past the end of the file
    /// was not checked (no contents) but was read (ArgumentOutOfRangeException); now the first name is outside it.</summary>
    [Test]
    public void EmptyShstrtabPastTheFile_IsNameOutOfStringTable()
    {
        var d = Sample();
        var (h, _) = ElfBytesPatch.Describe(d);
        var names = ElfBytesPatch.Describe(d).Sections[h.ShStrNdx];
        PutLe(d, names.HeaderOffset + ShOffset, 0x200000000, 8);
        PutLe(d, names.HeaderOffset + ShSize, 0, 8);
        Expect(d, ErrorIds.NameOutOfStringTable).Message.Should().Contain("0 bytes");
    }

    /// <summary>AFL++ (issue 18, Fuzz/Findings/elf): names from the file went into the error as they were, so a
    /// section name with a newline broke the one-line rule; control characters are shown as readelf shows them.</summary>
    [Test]
    public void ControlCharactersInANameStayOnOneLine()
    {
        var d = Sample();
        var (h, sections) = ElfBytesPatch.Describe(d);
        var rela = sections.First(s => s.Name == ".rela__dyndbg");
        var names = sections[h.ShStrNdx];
        var at = names.Offset + BitConverter.ToUInt32(d, (int)rela.HeaderOffset + ShName);
        d[at + 1] = (byte)'\n'; // ".\nela__dyndbg"
        d[at + 2] = 0x7f;
        PutLe(d, rela.HeaderOffset + ShEntSize, 0, 8);
        var e = Expect(d, ErrorIds.BadRelocationEntrySize);
        e.OneLine.Should().Contain("'.^J^?la__dyndbg'").And.NotContain("\n");
    }
}
