using DynDbg.ElfSim.Elf;

namespace DynDbg.ElfSim.Tests.Elf;

/// <summary>The forward-only field reader: Half, Word and the class-sized field, in either byte order.</summary>
[TestFixture]
public class ElfFieldReaderTests
{
    private static readonly byte[] Bytes = [0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10, 0x11, 0x12, 0x13, 0x14];

    [Test]
    public void Elf32_BigEndian_ClassWordIsFourBytes()
    {
        var r = new ElfFieldReader(Bytes, new ElfEndian(true), is64: false);
        r.Half().Should().Be(0x0102);
        r.Word().Should().Be(0x03040506u);
        r.ClassWord().Should().Be(0x0708090aUL);
        r.Position.Should().Be(10);
    }

    [Test]
    public void Elf64_LittleEndian_ClassWordIsEightBytes()
    {
        var r = new ElfFieldReader(Bytes, new ElfEndian(false), is64: true);
        r.Skip(2);
        r.Word().Should().Be(0x06050403u);
        r.ClassWord().Should().Be(0x0e0d0c0b0a090807UL);
        r.Half().Should().Be(0x100f);
        r.Position.Should().Be(16);
    }
}
