using DynDbg.ElfSim.Elf;
using FluentAssertions;

namespace DynDbg.ElfSim.Tests.Elf;

/// <summary>
/// <see cref="StringContentComparer"/> counts what a set of decoded strings would: equal bytes at two places are one
/// string, and two invalid UTF-8 sequences that decode to the same replacement text are one string too, as is the
/// valid encoding of U+FFFD next to an invalid byte.
/// </summary>
[TestFixture]
public class StringContentComparerTests
{
    [Test]
    public void Distinct_ByDecodedText()
    {
        // offsets: 0 "abc", 4 "abc", 8 "abd", 12 0xff, 14 0xfe, 16 EF BF BD (U+FFFD), 20 "bc" (a tail of "abc")
        byte[] strings = [.. "abc\0abc\0abd\0"u8, 0xff, 0, 0xfe, 0, 0xef, 0xbf, 0xbd, 0, .. "bc\0"u8];
        var w = new ElfWriter(new ElfIdentity(true, false, ElfMachine.X86_64));
        w.AddSection(".rodata.str1.1", ElfConstants.ShtProgbits, ElfConstants.ShfAlloc | ElfConstants.ShfMerge | ElfConstants.ShfStrings,
            ElfContent.Of(strings));
        using var f = ElfFile.FromBytes("s.o", w.ToArray());
        var section = f.FindSection(".rodata.str1.1")!.Index;
        ulong[] offsets = [0, 4, 8, 12, 14, 16, 21, 1];
        var memory = ElfMemory.For(f);

        var byContent = new HashSet<ElfLocation>(offsets.Select(o => new ElfLocation(section, o)), new StringContentComparer(memory));
        var decoded = offsets.Select(o => memory.ReadString(new ElfLocation(section, o), "test")).ToHashSet(StringComparer.Ordinal);

        decoded.Should().BeEquivalentTo(["abc", "abd", "\uFFFD", "bc", "c"]);
        byContent.Count.Should().Be(decoded.Count);
    }
}
