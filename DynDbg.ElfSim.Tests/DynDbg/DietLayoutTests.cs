using DynDbg.ElfSim.Diagnostics;
using DynDbg.ElfSim.Elf;
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

/// <summary>
/// AFL++ (issue 18, the `link` target): a 587 MB zero-filled __dyndbg_sites, 24 million site records, took the diet
/// decoder past its 2 GiB heap bound. A diet image is decoded whole, so past <see cref="DietImage.MaxRecords"/> it
/// is refused in one line. The file here is sparse: diet/v5/alpha.ko with its sites array moved to a 256 MiB hole.
/// </summary>
[TestFixture]
public class DietImageSizeTests
{
    [Test]
    public void SitesPastTheDecodeBound_AreOneLine()
    {
        var data = global::DynDbg.ElfSim.Tests.Elf.ElfBytesPatch.Read("x86_64", "diet/v5/alpha.ko");
        var (h, sections) = global::DynDbg.ElfSim.Tests.Elf.ElfBytesPatch.Describe(data);
        var sites = sections.First(s => s.Name == "__dyndbg_sites");
        var offset = ((ulong)data.Length + 0xfff) & ~0xfffUL;
        const ulong size = 256UL << 20;
        global::DynDbg.ElfSim.Tests.Elf.ElfBytesPatch.Put(data, (long)sites.HeaderOffset + 24, offset, 8, h.IsBigEndian); // sh_offset
        global::DynDbg.ElfSim.Tests.Elf.ElfBytesPatch.Put(data, (long)sites.HeaderOffset + 32, size, 8, h.IsBigEndian); // sh_size
        var path = Path.Combine(TestContext.CurrentContext.WorkDirectory, "sparse-sites.ko");
        using (var fs = new FileStream(path, FileMode.Create))
        {
            fs.Write(data);
            fs.SetLength((long)(offset + size));
        }

        using var f = ElfFile.Open(path);
        var act = () => ImageReader.Read(f);
        var e = act.Should().Throw<DiagnosticException>().Which;
        e.Id.Should().Be(DyndbgErrorIds.DietImage);
        e.OneLine.Should().Contain("'__dyndbg_sites'").And.Contain("11,184,810 site records").And.Contain("past the 4,194,304");
        File.Delete(path);
    }
}
