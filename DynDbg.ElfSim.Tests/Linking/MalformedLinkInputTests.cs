using DynDbg.ElfSim.Diagnostics;
using DynDbg.ElfSim.Elf;
using DynDbg.ElfSim.Linking;
using DynDbg.ElfSim.Tests.Elf;

namespace DynDbg.ElfSim.Tests.Linking;

/// <summary>Link inputs the mutation harness broke the engine with, each now one LNK line.</summary>
[TestFixture]
public class MalformedLinkInputTests
{
    /// <summary>A RELA table whose sh_info is 0 patches no section: bfd makes it an ordinary section, which ld 2.40
    /// copies as a RELA section; the writer makes relocation tables itself, so this used to throw ArgumentException.</summary>
    [Test]
    public void RelocationTablePatchingNoSection_IsRefusedAsUnsupported()
    {
        var d = ElfBytesPatch.Read("x86_64", "alpha_main.o");
        var (h, sections) = ElfBytesPatch.Describe(d);
        var rela = sections.First(s => s.Type == ElfConstants.ShtRela);
        ElfBytesPatch.Put(d, (long)rela.HeaderOffset + 44, 0, 4, h.IsBigEndian); // sh_info
        Refusal(d).OneLine.Should().Contain($"'{rela.Name}'").And.Contain("patches no section");
    }

    /// <summary>sh_type 0xffffffff on .rel.text (i386 beta.ko, 300-mutant run): bfd types the section by its name
    /// (.rel* is SHT_REL), same dead end as above.</summary>
    [Test]
    public void UnknownTypeNamedLikeARelocationTable_IsRefusedAsUnsupported()
    {
        var d = ElfBytesPatch.Read("i386", "beta.ko");
        var (h, sections) = ElfBytesPatch.Describe(d);
        var rel = sections.First(s => s.Name == ".rel.text");
        ElfBytesPatch.Put(d, (long)rel.HeaderOffset + 4, 0xffffffff, 4, h.IsBigEndian); // sh_type
        Refusal(d).OneLine.Should().Contain("'.rel.text'").And.Contain("would be a REL table");
    }

    /// <summary>.symtab sh_info 0 (i386 beta.ko, 1000-mutant run): every symbol reads as global, so relocations looked
    /// up local names among the globals (NullReferenceException). ld: "local symbol at index 0 (&gt;= sh_info of 0)".</summary>
    [Test]
    public void SymtabInfoZero_IsLdsBadValue()
    {
        var d = ElfBytesPatch.Read("i386", "beta.ko");
        var (h, sections) = ElfBytesPatch.Describe(d);
        var symtab = sections.First(s => s.Type == ElfConstants.ShtSymtab);
        ElfBytesPatch.Put(d, (long)symtab.HeaderOffset + 28, 0, 4, h.IsBigEndian); // sh_info (ELF32)
        Refusal(d, ErrorIds.SymbolTableInfo).OneLine.Should().Contain(".symtab local symbol at index 0 (>= sh_info of 0)");
    }

    /// <summary>AFL++ (issue 18, Fuzz/Findings/link): a 0xfffffff5-byte NOBITS section in an ELF32 object put the
    /// output section past 4 GiB, and the writer's 32-bit header threw OverflowException. ld: "section .bss VMA wraps
    /// around address space".</summary>
    [Test]
    public void Elf32SectionPastFourGiB_WrapsAroundTheAddressSpace()
    {
        // Two NOBITS inputs in one output section: 0xfffffff5 bytes, then 0x1fa more past 4 GiB.
        var d = ElfBytesPatch.Read("i386", "beta.ko");
        var (h, sections) = ElfBytesPatch.Describe(d);
        foreach (var (name, size) in new[] { (".text", 0xfffffff5UL), (".rodata.str1.1", 0x1faUL) })
        {
            var s = sections.First(x => x.Name == name);
            ElfBytesPatch.Put(d, (long)s.HeaderOffset + 4, ElfConstants.ShtNobits, 4, h.IsBigEndian); // sh_type
            ElfBytesPatch.Put(d, (long)s.HeaderOffset + 20, size, 4, h.IsBigEndian);                  // sh_size (ELF32)
        }

        using var f = ElfFile.FromBytes("mutant.o", d);
        var script = ScriptParser.Parse("big.lds", "SECTIONS { .big : { *(.text) *(.rodata.str1.1) } }\n");
        var act = () => Linker.Link(script, [("mutant.o", f)]).ToElf();
        var e = act.Should().Throw<DiagnosticException>().Which;
        e.Id.Should().Be(LinkErrorIds.LinkAddressWraps);
        e.OneLine.Should().StartWith("big.lds:1:").And.Contain("section .big VMA wraps around address space");
    }

    /// <summary>Links <paramref name="data"/> alone under the bundled script and expects one line with <paramref name="id"/>.</summary>
    internal static DiagnosticException Refusal(byte[] data, string id = LinkErrorIds.LinkUnsupportedInput, string name = "mutant.o")
    {
        using var f = ElfFile.FromBytes(name, data);
        var act = () => Linker.Link(BundledScripts.Load(BundledScripts.Default), [(name, f)]).ToElf();
        var e = act.Should().Throw<DiagnosticException>().Which;
        e.Id.Should().Be(id);
        e.OneLine.Should().NotContain("\n");
        return e;
    }
}
