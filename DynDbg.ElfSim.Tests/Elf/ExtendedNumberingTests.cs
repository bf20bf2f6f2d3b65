using DynDbg.ElfSim.Elf;
using DynDbg.ElfSim.Linking;

namespace DynDbg.ElfSim.Tests.Elf;

/// <summary>
/// A real object with more than SHN_LORESERVE sections, made by GNU as: e_shnum is 0, e_shstrndx is SHN_XINDEX
/// and symbols in high sections go through SHT_SYMTAB_SHNDX. readelf is the reference for what it holds.
/// </summary>
[TestFixture]
public class ExtendedNumberingTests
{
    private const int Sections = 70000;
    private string _object = "";

    [OneTimeSetUp]
    public void Assemble()
    {
        var dir = Path.Combine(TestContext.CurrentContext.WorkDirectory, "extnum");
        Directory.CreateDirectory(dir);
        var source = Path.Combine(dir, "many.s");
        _object = Path.Combine(dir, "many.o");
        using (var w = new StreamWriter(source))
        {
            for (var i = 0; i < Sections; i++)
            {
                w.Write($".section .s{i},\"a\"\n.globl sym{i}\nsym{i}: .byte {i % 256}\n");
            }
        }

        var (code, _, err) = Tools.Run("as", "-o", _object, source);
        if (code != 0)
        {
            Assert.Fail("as failed: " + err);
        }
    }

    [Test]
    public void SectionCountAndNameTableComeFromSectionZero()
    {
        using var f = ElfFile.Open(_object);
        f.Header.ShNum.Should().Be(0);
        f.Header.ShStrNdx.Should().Be(ElfConstants.ShnXindex);
        f.Sections.Count.Should().BeGreaterThan(Sections);
        f.FindSection(".s69999").Should().NotBeNull();
        f.Sections.Select(s => s.Name).Should().OnlyHaveUniqueItems(s => s);
    }

    [Test]
    public void SymbolsInHighSections_ResolveThroughShndx()
    {
        using var f = ElfFile.Open(_object);
        var symtab = f.SymbolTable!;
        var i = symtab.IndexOf("sym69999");
        i.Should().BePositive();
        var sym = symtab[i];
        sym.SectionIndex.Should().BeGreaterThan(ElfConstants.ShnLoReserve);
        f.Sections[(int)sym.SectionIndex].Name.Should().Be(".s69999");
    }

    [Test]
    public void ElfSharp_KnownGap_SymbolsPastSection0xff00()
    {
        // README "Dependencies": ELFSharp 2.17.3 follows extended numbering for the section headers (it agrees on
        // every one of them) but does not read SHT_SYMTAB_SHNDX: each symbol in a section at or past SHN_LORESERVE
        // keeps st_shndx = SHN_XINDEX there. Nothing else differs. A release that fixes it makes the count 0.
        using var f = ElfFile.Open(_object);
        var high = f.SymbolTable!.Symbols.ToArray().Count(s => s.SectionIndex >= ElfConstants.ShnLoReserve && s.SectionIndex != ElfConstants.ShnAbs);
        var r = ElfSharpOracle.Compare(_object);
        r.Sections.Should().Be(f.Sections.Count);
        r.Differences.Should().BeEmpty();
        r.XindexSymbols.Should().Be(high).And.BeGreaterThan(4000);
    }

    [Test]
    public void LibObjectFile_ReadsItAndOurLinkOfIt_AsWeDo()
    {
        // LibObjectFile 2.3.1 reads extended numbering and SHT_SYMTAB_SHNDX: as made by GNU as, and as written by
        // our writer (ld -r -T module.lds of it), every section header and symbol agrees (LibObjectFileOracle).
        var r = LibObjectFileOracle.Compare(_object);
        TestContext.Out.WriteLine($"as: {r.Sections} sections, {r.Symbols} symbols, {r.Differences.Count} differences");
        r.Differences.Take(5).Should().BeEmpty();
        r.Sections.Should().BeGreaterThan(Sections);

        using var input = ElfFile.Open(_object);
        var bytes = Linker.Link(ScriptParser.ParseFile(Path.Combine(TestPaths.Root, "linker", "module.lds")), [("many.o", input)]).ToElf().ToArray();
        using var ours = ElfFile.FromBytes("out.o", bytes);
        var linked = LibObjectFileOracle.Compare(ours, bytes);
        TestContext.Out.WriteLine($"ours: {linked.Sections} sections, {linked.Symbols} symbols, {linked.Differences.Count} differences");
        linked.Differences.Take(5).Should().BeEmpty();
        linked.Sections.Should().Be(ours.Sections.Count).And.BeGreaterThan(Sections);
    }

    [Test]
    public void SymbolsInSectionsWithReservedNumbers_AreInThoseSections()
    {
        // sections 0xff00..0xffff are ordinary sections here; only st_shndx (SHN_XINDEX) was reserved
        using var f = ElfFile.Open(_object);
        var inRange = f.SymbolTable!.Symbols.ToArray().Where(s => s.Extended && s.SectionIndex is >= ElfConstants.ShnLoReserve and <= 0xffff).ToList();
        inRange.Should().HaveCountGreaterThan(200);
        inRange.Should().OnlyContain(s => s.IsInSection && !s.IsUndefined && !s.IsAbsolute && !s.IsCommon);
        inRange.Should().Contain(s => s.SectionIndex == ElfConstants.ShnAbs).And.Contain(s => s.SectionIndex == ElfConstants.ShnCommon);
    }

    [Test]
    [Category("Real")]
    public void Link_UnderModuleLds_IsLdBfds()
    {
        // issue 12: 254 of these symbols came out UND, one ABS, one COM; and the orphan placement was quadratic
        var dir = Path.GetDirectoryName(_object)!;
        File.Copy(Path.Combine(TestPaths.Root, "linker", "module.lds"), Path.Combine(dir, "module.lds"), overwrite: true);
        var sw = System.Diagnostics.Stopwatch.StartNew();
        var outcome = Linking.LinkComparison.Run(dir, "module.lds", ["many.o"], ElfMachine.X86_64);
        TestContext.Out.WriteLine($"{Sections} orphan sections linked by both in {sw.Elapsed.TotalSeconds:F1} s");
        outcome.Differences.Should().BeEmpty();
    }
}
