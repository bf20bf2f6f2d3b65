using DynDbg.ElfSim.Elf;

namespace DynDbg.ElfSim.Tests.Linking;

/// <summary>
/// A script output section named like a MIPS special section but holding ordinary inputs, against
/// mips64el-linux-gnuabi64-ld.bfd 2.40: elfxx-mips.c <c>_bfd_mips_elf_fake_sections</c> runs after elf_fake_sections
/// and sets the type, sh_entsize and flags by the name, over what the inputs gave (an .init_array's pointer size, a
/// string section's merge entity size). The seeded random generator found it (mips64el seed 6351: a .MIPS.options
/// holding .init_array, sh_entsize 1 in ld's output, 8 in ours).
/// </summary>
[TestFixture]
public class MipsSectionNameTests
{
    private const string Source = """
        	.section .init_array,"aw",@init_array
        	.balign 8
        	.dword 0x1122334455667788
        	.section .rodata.str4.4,"aMS",@progbits,4
        	.balign 4
        	.4byte 0x41, 0
        	.data
        	.dword 7
        """;

    [TestCase(".MIPS.options", ".init_array", 1UL)]
    [TestCase(".MIPS.options", ".rodata.str4.4", 1UL)]
    [TestCase(".MIPS.interfaces", ".init_array", 8UL)]
    public void AnOutputSectionNamedLikeAMipsSpecialOne_TakesItsEntrySizeAsLdDoes(string name, string input, ulong entSize)
    {
        var (dir, o) = Link(name, input);
        o.LdOk.Should().BeTrue(o.LdError);
        o.Differences.Should().BeEmpty();
        o.ElfTextIdentical.Should().BeTrue();
        o.MapTextIdentical.Should().BeTrue();
        using var ours = ElfFile.Open(Path.Combine(dir, "our.o"));
        ours.FindSection(name)!.EntSize.Should().Be(entSize);
    }

    /// <summary>.mdebug and .gptab.* are built by _bfd_mips_elf_final_link from data the inputs do not have here:
    /// ld 2.40 fails on a .mdebug ("bad value") and on a .gptab.data ("illegal section name"), and renames a
    /// .gptab.sdata to .gptab.data with sh_info set. The engine refuses all three in one line naming the function.</summary>
    [TestCase(".mdebug", ".init_array")]
    [TestCase(".gptab.data", ".init_array")]
    [TestCase(".gptab.sdata", ".rodata.str4.4")]
    public void AMipsDebugOrGpTableOutputSection_IsRefusedByName(string name, string input)
    {
        var (_, o) = Link(name, input);
        o.OursOk.Should().BeFalse();
        o.OurError.Should().Contain("LNK014").And.Contain("_bfd_mips_elf_final_link").And.Contain(name).And.NotContain("\n");
    }

    private static (string Dir, LinkComparison.Outcome Outcome) Link(string name, string input)
    {
        LinkComparison.RequireLd(ElfMachine.Mips);
        var dir = Path.Combine(TestContext.CurrentContext.WorkDirectory, "mips-section-names", TestContext.CurrentContext.Test.Name.Replace('"', '_'));
        Directory.CreateDirectory(dir);
        var obj = SyntheticInputs.AssembleIn(dir, ElfMachine.Mips, "a", Source);
        File.WriteAllText(Path.Combine(dir, "s.lds"), $"SECTIONS {{\n  {name} : {{ *({input}) }}\n  .data : {{ *(.data) }}\n}}\n");
        return (dir, LinkComparison.Run(dir, "s.lds", [obj], ElfMachine.Mips));
    }
}
