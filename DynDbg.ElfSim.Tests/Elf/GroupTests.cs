using DynDbg.ElfSim.Elf;

namespace DynDbg.ElfSim.Tests.Elf;

/// <summary>SHT_GROUP decoding: a sample section turned into a COMDAT group of two members, and a broken one.</summary>
[TestFixture]
public class GroupTests
{
    [Test]
    public void GroupFlagsAndMembers()
    {
        var d = ElfBytesPatch.Read("s390x", "alpha.ko");
        var s = ElfBytesPatch.Describe(d).Sections.First(x => x.Name == "__dyndbg");
        ElfBytesPatch.Put(d, (long)s.HeaderOffset + 4, ElfConstants.ShtGroup, 4, bigEndian: true);
        ElfBytesPatch.Put(d, (long)s.HeaderOffset + 32, 12, 8, bigEndian: true);
        ElfBytesPatch.Put(d, (long)s.Offset, ElfConstants.GrpComdat, 4, bigEndian: true);
        ElfBytesPatch.Put(d, (long)s.Offset + 4, 1, 4, bigEndian: true);
        ElfBytesPatch.Put(d, (long)s.Offset + 8, 2, 4, bigEndian: true);
        using var f = ElfFile.FromBytes("g.o", d);
        var (flags, members) = f.GetGroup(f.Sections[s.Index]);
        flags.Should().Be(ElfConstants.GrpComdat);
        members.Should().Equal(1, 2);
    }

    [Test]
    public void MemberThatDoesNotExist_IsBadGroup()
    {
        var d = ElfBytesPatch.Read("x86_64", "alpha.ko");
        var s = ElfBytesPatch.Describe(d).Sections.First(x => x.Name == "__dyndbg");
        ElfBytesPatch.Put(d, (long)s.HeaderOffset + 4, ElfConstants.ShtGroup, 4, bigEndian: false);
        using var f = ElfFile.FromBytes("g.o", d);
        var act = () => f.GetGroup(f.Sections[s.Index]);
        var e = act.Should().Throw<ElfFormatException>().Which;
        e.Id.Should().Be(ErrorIds.BadGroup);
        e.Offset.Should().Be(s.Offset + 4);
    }
}
