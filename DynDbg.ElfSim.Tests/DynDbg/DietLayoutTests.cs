using DynDbg.ElfSim.DynDbg;

namespace DynDbg.ElfSim.Tests.DynDbg;

/// <summary>Diet layouts against reference §4's size table (gcc -m64/-m32) and the §7 quirks.</summary>
[TestFixture]
public class DietLayoutTests
{
    // reference §4: x86_64 JL=y, x86_64 JL=n, i386 JL=y, i386 JL=n
    [TestCase(DietVariant.V5, 40, 24, 24, 16)]
    [TestCase(DietVariant.V5NoSite, 32, 16, 24, 16)]
    [TestCase(DietVariant.V6, 32, 16, 24, 16)]
    public void RecordSizes(DietVariant v, int x64Jl, int x64NoJl, int i386Jl, int i386NoJl)
    {
        DietLayout.Create(v, 8, false, true).RecordSize.Should().Be(x64Jl);
        DietLayout.Create(v, 8, false, false).RecordSize.Should().Be(x64NoJl);
        DietLayout.Create(v, 4, false, true).RecordSize.Should().Be(i386Jl);
        DietLayout.Create(v, 4, false, false).RecordSize.Should().Be(i386NoJl);
    }

    [Test]
    public void SiteIs24BytesOnLp64And16OnIlp32()
    {
        DietLayout.Create(DietVariant.V5, 8, false, true).SiteSize.Should().Be(24);
        DietLayout.Create(DietVariant.V5, 4, false, true).SiteSize.Should().Be(16);
    }

    [Test]
    public void UnionSizeDiffersFromRecordSize_OnlyForLp64WithoutJumpLabelOrSitePointer()
    {
        // reference §7.2: sizeof(union _ddebug_header) 24 vs sizeof(struct _ddebug) 16 on x86_64 JL=n.
        var mismatched = DietLayout.All.Where(l => l.HeaderSize != l.RecordSize).Select(l => l.Name).ToArray();
        mismatched.Should().BeEquivalentTo(["v5-nosite-64le-nojl", "v5-nosite-64be-nojl", "v6-64le-nojl", "v6-64be-nojl"]);
        DietLayout.Create(DietVariant.V6, 8, false, false).HeaderSize.Should().Be(24);
    }

    [Test]
    public void WithoutSitePointer_TheRecordIndexOverlapsTheHeaderFormat()
    {
        // reference §7.1: record view's lineno/_index unit is at 8 = the header view's format pointer on x86_64.
        var l = DietLayout.Create(DietVariant.V5NoSite, 8, false, true);
        l.Unit0Offset.Should().Be(l.HeaderFormatOffset);
        l.Index.Should().Be(new BitField(18, 14));
        var v5 = DietLayout.Create(DietVariant.V5, 8, false, true);
        v5.Unit0Offset.Should().Be(v5.HeaderUnit0Offset);
    }

    [Test]
    public void V6_MapSharesTheSecondUnitWithFlags()
    {
        var l = DietLayout.Create(DietVariant.V6, 8, true, true);
        l.Map.Should().Be(new BitField(18, 14));
        l.Flags.Should().Be(new BitField(10, 8));
        l.DescriptorSection.Should().Be("__dyndbgs");
    }
}
