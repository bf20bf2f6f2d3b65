using DynDbg.ElfSim.DynDbg;
using DynDbg.ElfSim.Elf;
using DynDbg.ElfSim.Tests.Elf;

namespace DynDbg.ElfSim.Tests.DynDbg;

/// <summary>
/// The decoder's errors name the record and the field ("record N of REGION, FIELD"), also when the relocation
/// reader or the string reader below it raises them. Each fault is one relocation of a real sample changed.
/// </summary>
[TestFixture]
public class DdebugDecoderTests
{
    // struct _ddebug on x86_64: modname, function, filename and format pointers.
    private const ulong Function = 8, Filename = 16, Format = 24;
    private const ulong RecordSize = 56;
    private const int Record = 1;

    /// <summary>The sample, the layout detected on it unmodified, and the relocation of record 1's <paramref name="field"/>.</summary>
    private static Case Fixture(ulong field)
    {
        var d = ElfBytesPatch.Read("x86_64", "alpha.ko");
        using var f = ElfFile.FromBytes("fixture.o", (byte[])d.Clone());
        var img = MainlineImage.Load(f);
        var dyndbg = f.FindSection("__dyndbg")!;
        var rela = f.RelocationSectionsFor(dyndbg).Single();
        var entries = f.GetRelocations(rela).Entries.ToArray();
        var at = (Record * RecordSize) + field;
        var k = Array.FindIndex(entries, r => r.Offset == at);
        k.Should().BeGreaterThanOrEqualTo(0, "every pointer slot of the sample has a relocation");
        var sym = f.GetSymbolTable(f.Sections[(int)rela.Link])[(int)entries[k].SymbolIndex];
        return new Case(d, img.Decision!.Layout, img.Region!.Origin, rela.Describe(), k, rela.Offset + ((ulong)k * 24),
            f.Sections[(int)sym.SectionIndex].Size - sym.Value);
    }

    /// <summary>Decodes with the unmodified file's layout forced, so a fault the detector would refuse reaches the decoder.</summary>
    private static ElfFormatException Expect(Case c, string id)
    {
        using var f = ElfFile.FromBytes("fixture.o", c.Data);
        var act = () => MainlineImage.Load(f, c.Layout);
        var e = act.Should().Throw<ElfFormatException>().Which;
        e.Id.Should().Be(id, e.OneLine);
        return e;
    }

    [Test]
    public void NoRelocationAtAPointer_NamesRecordAndField()
    {
        var c = Fixture(Function);
        ElfBytesPatch.Put(c.Data, (long)c.Entry, Record * RecordSize, 8, false); // r_offset: onto modname's slot, so none is left here
        var e = Expect(c, ErrorIds.UnresolvedPointer);
        e.Where.Should().Be($"record {Record} of {c.Origin}, function");
        e.Message.Should().Be("function pointer is NULL (no relocation and no value); the kernel would dereference it");
    }

    [Test]
    public void WrongRelocationType_NamesRecordFieldAndRelocation()
    {
        var c = Fixture(Format);
        c.Data[c.Entry + 8] = 2; // r_info's type (low word, little-endian): R_X86_64_PC32
        var e = Expect(c, ErrorIds.UnsupportedRelocation);
        e.Where.Should().Be($"record {Record} of {c.Origin}, format (relocation [{c.Index}] in {c.Rela})");
    }

    [Test]
    public void StringPointerAtTheSectionEnd_NamesRecordAndField()
    {
        var c = Fixture(Filename);
        ElfBytesPatch.Put(c.Data, (long)c.Entry + 16, c.ToEnd, 8, false); // r_addend: one past the last byte
        var e = Expect(c, ErrorIds.PointerIntoNowhere);
        e.Where.Should().Be($"record {Record} of {c.Origin}, filename");
        e.Message.Should().StartWith("string pointer ");
    }

    private sealed record Case(byte[] Data, DdebugLayout Layout, string Origin, string Rela, int Index, ulong Entry, ulong ToEnd);
}
