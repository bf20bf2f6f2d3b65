using DynDbg.ElfSim.DynDbg;

namespace DynDbg.ElfSim.Tests.DynDbg;

/// <summary>Profile arithmetic against reference §1.1 and §4 (sizes measured with gcc -m64/-m32).</summary>
[TestFixture]
public class LayoutTests
{
    [TestCase(8, true, 56, 40)]
    [TestCase(8, false, 40, -1)]
    [TestCase(4, true, 32, 20)]
    [TestCase(4, false, 24, -1)]
    public void RecordSizeAndKeyOffset(int pointer, bool jumpLabel, int size, int keyOffset)
    {
        var l = DdebugLayout.Create(DdebugVersion.V61, pointer, false, jumpLabel);
        l.RecordSize.Should().Be(size);
        l.KeyOffset.Should().Be(keyOffset);
        l.BitfieldOffset.Should().Be(4 * pointer);
    }

    [Test]
    public void LittleEndianBitfields_FromTheLeastSignificantBit()
    {
        // bnep.ko record 0 (reference §1.4): bytes b6 02 fc 00 → lineno 694, class 63, flags 0.
        var l = DdebugLayout.Create(DdebugVersion.V61, 8, false, true);
        const uint unit = 0x00fc02b6;
        l.LineNo.Get(unit).Should().Be(694);
        l.ClassId!.Value.Get(unit).Should().Be(63);
        l.Flags.Get(unit).Should().Be(0);
    }

    [Test]
    public void BigEndianBitfields_FromTheMostSignificantBit()
    {
        // s390x sample: bytes 00 06 3f 01 → line 24, class 63, flags p.
        var l = DdebugLayout.Create(DdebugVersion.V61, 8, true, true);
        const uint unit = 0x00063f01;
        l.LineNo.Get(unit).Should().Be(24);
        l.ClassId!.Value.Get(unit).Should().Be(63);
        l.Flags.Get(unit).Should().Be(1);
    }

    [Test]
    public void V59_FlagsFollowLineno()
    {
        var l = DdebugLayout.Create(DdebugVersion.V59, 8, false, true);
        l.ClassId.Should().BeNull();
        l.Flags.Should().Be(new BitField(18, 8));
    }

    [Test]
    public void EveryProfileHasAUniqueName_AndCanBeFoundByIt()
    {
        DdebugLayout.All.Should().HaveCount(24);
        DdebugLayout.All.Select(l => l.Name).Should().OnlyHaveUniqueItems();
        DdebugLayout.ByName("v6.1-64be-nojl")!.RecordSize.Should().Be(40);
        DdebugLayout.ByName("pre5.9-32le-jl")!.SectionName.Should().Be("__verbose");
    }
}
