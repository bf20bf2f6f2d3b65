using System.Buffers.Binary;
using DynDbg.ElfSim.Compression;
using DynDbg.ElfSim.DynDbg;
using DynDbg.ElfSim.Elf;

namespace DynDbg.ElfSim.Tests.Compression;

/// <summary>The site columns taken out of real objects: values, order, byte image and module addresses.</summary>
[TestFixture]
public class SiteTableTests
{
    private static SiteTable Load(string arch, string file)
    {
        using var f = ElfFile.Open(TestPaths.Sample(arch, file));
        return SiteTable.From(f, MainlineImage.Load(f));
    }

    [Test]
    public void SitesFollowTheRecords_EqualPointersForEqualObjects()
    {
        using var f = ElfFile.Open(TestPaths.Sample("x86_64", "alpha.ko"));
        var image = MainlineImage.Load(f);
        var table = SiteTable.From(f, image);
        table.Count.Should().Be(11);
        table.PointerSize.Should().Be(8);
        table.RawBytes.Should().Be(11 * 24);
        for (var i = 0; i < table.Count; i++)
        {
            for (var j = 0; j < table.Count; j++)
            {
                // Same object <=> same pointer value, column by column (reference §6.1 order: mod, file, func).
                (table[i].Modname == table[j].Modname).Should().Be(image.Records[i].ModnameAt == image.Records[j].ModnameAt);
                (table[i].Filename == table[j].Filename).Should().Be(image.Records[i].FilenameAt == image.Records[j].FilenameAt);
                (table[i].Function == table[j].Function).Should().Be(image.Records[i].FunctionAt == image.Records[j].FunctionAt);
            }
        }
    }

    [Test]
    public void ModuleAddresses_FollowTheLoaderPasses()
    {
        using var f = ElfFile.Open(TestPaths.Sample("x86_64", "alpha.ko"));
        var table = SiteTable.From(f, MainlineImage.Load(f));
        var text = f.FindSection(".text")!;
        var addresses = ModuleAddresses.Of(f);

        // Pass 1 (text) starts the core allocation at the module area base; __dyndbg (WA) comes in pass 4, after
        // the page-aligned read-only part, so it is above every read-only string it points to.
        addresses[text.Index].Should().Be(0xffffffffc0000000);
        var dyndbg = f.FindSection("__dyndbg")!;
        var rodata = f.FindSection(".rodata.str1.1")!;
        addresses[dyndbg.Index].Should().BeGreaterThan(addresses[rodata.Index]);
        (addresses[rodata.Index] % 4096).Should().Be(0, "read-only data starts the second page-aligned pass");
        table.Anchor.Should().Be(addresses[dyndbg.Index]);
        table.Sites.ToArray().Should().OnlyContain(s => s.Modname >= addresses[rodata.Index] && s.Modname < addresses[rodata.Index] + rodata.Size);
    }

    [Test]
    public void LinkedImage_UsesItsOwnAddresses()
    {
        // The samples have no linked image; a relocatable vmlinux.o still gets module-style addresses, and its
        // built-in tables cut per modname run.
        var table = Load("x86_64", "vmlinux.o");
        table.Count.Should().Be(26);
        table.Kind.Should().Be(ImageKind.BuiltIn);
        table.Tables.Should().HaveCount(3);
    }

    [TestCase("x86_64", false)]
    [TestCase("s390x", true)]
    public void Bytes_AreTheSitesArray_InTheFilesByteOrder(string arch, bool bigEndian)
    {
        var table = Load(arch, "delta.ko");
        table.BigEndian.Should().Be(bigEndian);
        var bytes = table.ToBytes();
        bytes.Should().HaveCount((int)table.RawBytes);
        var first = bigEndian ? BinaryPrimitives.ReadUInt64BigEndian(bytes) : BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        first.Should().Be(table[0].Modname);
        var fn = bigEndian ? BinaryPrimitives.ReadUInt64BigEndian(bytes.AsSpan(16)) : BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(16));
        fn.Should().Be(table[0].Function, "the site order is modname, filename, function");
        for (var i = 0; i < table.Count; i++)
        {
            table.ReadSite(bytes.AsSpan(i * table.SiteSize, table.SiteSize)).Should().Be(table[i]);
        }
    }

    [Test]
    public void ThirtyTwoBitPointers_AreFourBytes()
    {
        var table = Load("i386", "gamma.ko");
        table.PointerSize.Should().Be(4);
        table.SiteSize.Should().Be(12);
        table.Sites.ToArray().Should().OnlyContain(s => s.Modname >= 0xbf000000 && s.Modname <= uint.MaxValue);
    }

    /// <summary>sh_addralign 0xffffffff on i386 beta.ko's .rodata.str1.1 (8000-mutant run, seed 7): the module
    /// placement ran past 4 GiB and writing a 4-byte site word threw OverflowException in the zstd store.</summary>
    [Test]
    public void ThirtyTwoBitLayoutPastFourGiB_IsOurError()
    {
        var d = Elf.ElfBytesPatch.Read("i386", "beta.ko");
        var (h, sections) = Elf.ElfBytesPatch.Describe(d);
        var rodata = sections.First(s => s.Name == ".rodata.str1.1");
        Elf.ElfBytesPatch.Put(d, (long)rodata.HeaderOffset + 32, 0xffffffff, 4, h.IsBigEndian); // sh_addralign (ELF32)
        using var f = ElfFile.FromBytes("beta.ko", d);
        var act = () => SiteTable.From(f, MainlineImage.Load(f));
        act.Should().Throw<ElfFormatException>().Which.Id.Should().Be(ErrorIds.AddressSpaceOverflow);
    }

    [Test]
    public void EmptyTable_HasNoBytes()
    {
        var table = SiteTable.Create("empty", 8, false, ImageKind.Module, []);
        table.Count.Should().Be(0);
        table.ToBytes().Should().BeEmpty();
    }

    [Test]
    public void Create_RejectsOddPointerSizes()
    {
        var act = () => SiteTable.Create("x", 2, false, ImageKind.Module, []);
        act.Should().Throw<ArgumentOutOfRangeException>();
    }
}
