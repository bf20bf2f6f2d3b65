using DynDbg.ElfSim.Elf;
using FluentAssertions;

namespace DynDbg.ElfSim.Tests.Elf;

/// <summary>
/// <see cref="RelocationIndex"/> through <see cref="RelocatableMemory"/>: pointers resolve through relocations in
/// offset order, out of order, split over two tables of one section, and with two relocations at one offset (the
/// last one wins, as in the module loader) — the paths the sorted index takes besides the in-order table.
/// </summary>
[TestFixture]
public class RelocationIndexTests
{
    private static ElfFile Build(params ElfWriterRelocation[][] tables)
    {
        var w = new ElfWriter(new ElfIdentity(true, false, ElfMachine.X86_64));
        var strings = w.AddSection(".rodata.str1.1", ElfConstants.ShtProgbits, ElfConstants.ShfAlloc | ElfConstants.ShfMerge | ElfConstants.ShfStrings,
            ElfContent.Of("zero\0one\0two\0three\0"u8.ToArray()));
        strings.EntSize = 1;
        var data = w.AddSection("__dyndbg", ElfConstants.ShtProgbits, ElfConstants.ShfAlloc | ElfConstants.ShfWrite, ElfContent.Of(new byte[32]));
        data.AddrAlign = 8;
        var sym = w.AddSymbol(new ElfWriterSymbol("", 0, 0, ElfConstants.StbLocal, ElfConstants.SttSection, strings));
        foreach (var t in tables)
        {
            w.AddRelocations(data, true, t.Select(r => r with { Symbol = sym }).ToArray());
        }

        return ElfFile.FromBytes("r.o", w.ToArray());
    }

    private static string?[] Words(ElfFile f)
    {
        var mem = new RelocatableMemory(f);
        var sec = f.FindSection("__dyndbg")!;
        return Enumerable.Range(0, 4).Select(i => mem.ReadPointer(sec, (ulong)i * 8, "test") is { } at ? mem.ReadString(at, "test") : null).ToArray();
    }

    private static ElfWriterRelocation R(ulong offset, long addend) => new(offset, 0, 1, addend);

    [Test]
    public void InOrder_OutOfOrder_TwoTables_Agree()
    {
        using var inOrder = Build([R(0, 0), R(8, 5), R(16, 9), R(24, 13)]);
        using var shuffled = Build([R(24, 13), R(0, 0), R(16, 9), R(8, 5)]);
        using var split = Build([R(16, 9), R(0, 0)], [R(24, 13), R(8, 5)]);
        string?[] expected = ["zero", "one", "two", "three"];
        Words(inOrder).Should().Equal(expected);
        Words(shuffled).Should().Equal(expected);
        Words(split).Should().Equal(expected);
    }

    [Test]
    public void SameOffsetTwice_TheLastWins_AndAGapIsNull()
    {
        using var f = Build([R(8, 0), R(0, 9), R(8, 13)], [R(0, 5)]);
        Words(f).Should().Equal("one", "three", null, null);
        var index = new RelocatableMemory(f).RelocationsOf(f.FindSection("__dyndbg")!);
        index.Count.Should().Be(2);
        Enumerable.Range(0, index.Count).Select(index.OffsetAt).Should().Equal(0UL, 8UL);
    }
}
