using DynDbg.ElfSim.Elf;

namespace DynDbg.ElfSim.Tests.Linking;

/// <summary>
/// .MIPS.abiflags and .reginfo against mips64el-linux-gnuabi64-ld.bfd 2.40 (bfd/elfxx-mips.c): a script output section
/// of either name holding other inputs (<c>_bfd_mips_elf_always_size_sections</c> fixes it at 24 bytes,
/// <c>_bfd_mips_elf_final_link</c> drops the inputs' bytes and relocations and writes the merged record), and inputs
/// whose ABI flags differ (<c>_bfd_mips_elf_merge_private_bfd_data</c>: <c>mips_elf_merge_obj_e_flags</c>,
/// <c>mips_elf_merge_obj_abiflags</c>). The seeded random generator found the first (11 of 400 mips64el cases).
/// </summary>
[TestFixture]
public class MipsAbiflagsTests
{
    private const string A = """
        	.text
        	.globl fa
        fa:	jr $ra
        	nop
        	.data
        	.globl da
        da:	.dword fa
        	.dword 0x1122334455667788
        loc:	.word 5
        	.section .rodata.x,"a"
        	.globl rx
        rx:	.dword da
        	.bss
        	.space 16
        """;

    private const string B = """
        	.data
        	.globl db
        db:	.dword fa, 7
        """;

    /// <summary>_bfd_mips_elf_always_size_sections, _bfd_mips_elf_final_link.</summary>
    [TestCase("SECTIONS {\n  .text : { *(.text) }\n  .MIPS.abiflags : { *(.data) *(.MIPS.abiflags) }\n  .rodata : { *(.rodata.x) }\n}\n")]
    [TestCase("SECTIONS {\n  .MIPS.abiflags : { LONG(7) *(.bss) }\n  .rodata : { *(.rodata.x) }\n}\n")]
    [TestCase("SECTIONS {\n  .MIPS.abiflags 0 : { x = .; *(.nothing) }\n  .other : { *(.MIPS.abiflags) }\n}\n")]
    [TestCase("SECTIONS {\n  .MIPS.abiflags . + 0x10 : { LONG(0x38e8f837) *(.data*) }\n}\n")]
    [TestCase("SECTIONS {\n  .reginfo : { *(.data) }\n  .x : { *(.bss) }\n}\n")]
    public void AFixedSizeOutputSectionHoldingOtherInputs_LinksAsLdDoes(string script)
    {
        var o = Link(script, [("a", "", A), ("b", "", B)]);
        Same(o);
    }

    /// <summary>mips_elf_merge_obj_abiflags (ases or-ed, ISA level and revision, register sizes maxed) and
    /// mips_elf_merge_obj_e_flags (EF_MIPS_NOREORDER or-ed, a later input's extending ISA taken).</summary>
    [TestCase("", "\t.module dsp\n")]
    [TestCase("\t.module mips64\n", "")]
    [TestCase("", "\t.module mips4\n")]
    [TestCase("\t.module mips3\n", "\t.module mips64r2\n\t.module mt\n")]
    [TestCase("", "\t.set noreorder\n")]
    public void DifferingAbiFlags_AreMergedAsLdDoes(string first, string second)
    {
        var o = Link("SECTIONS {\n  .MIPS.abiflags : { *(.MIPS.abiflags) }\n  .data : { *(.data) }\n}\n",
            [("a", first, A), ("b", second, B)]);
        Same(o);
    }

    /// <summary>infer_mips_abiflags: an input whose .MIPS.abiflags was stripped gets a record made from its e_flags and
    /// Tag_GNU_MIPS_ABI_FP (here MIPS III, no odd single registers), merged with the other's, first or second.</summary>
    [TestCase(true, "")]
    [TestCase(false, "")]
    [TestCase(true, "\t.module mips64r2\n\t.module dsp\n")]
    [TestCase(false, "\t.module mips64r2\n\t.module dsp\n")]
    public void AnInputWithoutTheRecord_HasOneInferred(bool strippedFirst, string other)
    {
        const string objcopy = "mips64el-linux-gnuabi64-objcopy";
        Tools.Require(objcopy);
        var script = "SECTIONS {\n  .MIPS.abiflags : { *(.MIPS.abiflags) }\n  .data : { *(.data) }\n}\n";
        var (dir, _) = Link(script, [("a", "", A), ("b", other, B)]);
        Tools.RunIn(dir, objcopy, "-R", ".MIPS.abiflags", "a.o", "an.o").Code.Should().Be(0);
        var o = LinkComparison.Run(dir, "s.lds", strippedFirst ? ["an.o", "b.o"] : ["b.o", "an.o"], ElfMachine.Mips);
        Same((dir, o));
    }

    /// <summary>mips_elf_merge_obj_e_flags: incompatible ISAs and NaN encodings fail ld's link, and ours.</summary>
    [TestCase("\t.module mips64r6\n", "")]
    [TestCase("", "\t.nan 2008\n")]
    public void IncompatibleInputs_FailAsInLd(string first, string second)
    {
        var (_, o) = Link("SECTIONS {\n  .data : { *(.data) }\n}\n", [("a", first, A), ("b", second, B)]);
        o.LdOk.Should().BeFalse();
        o.OursOk.Should().BeFalse();
        o.OurError.Should().Contain("mips_elf_merge_obj_e_flags");
    }

    private static void Same((string Dir, LinkComparison.Outcome Outcome) r)
    {
        var o = r.Outcome;
        o.LdOk.Should().BeTrue(o.LdError);
        o.OursOk.Should().BeTrue(o.OurError);
        o.Differences.Should().BeEmpty();
        o.ElfTextIdentical.Should().BeTrue();
        o.MapTextIdentical.Should().BeTrue();
        // The comparison reads sections, not the header: the merged e_flags are checked here.
        using var ld = ElfFile.Open(Path.Combine(r.Dir, "ld.o"));
        using var ours = ElfFile.Open(Path.Combine(r.Dir, "our.o"));
        ours.Header.Flags.Should().Be(ld.Header.Flags);
    }

    private static (string Dir, LinkComparison.Outcome Outcome) Link(string script, (string Name, string Prefix, string Body)[] files)
    {
        LinkComparison.RequireLd(ElfMachine.Mips);
        var dir = Path.Combine(TestContext.CurrentContext.WorkDirectory, "mips-abiflags",
            string.Concat(TestContext.CurrentContext.Test.Name.Split(Path.GetInvalidFileNameChars().Append('"').Append(' ').ToArray())));
        Directory.CreateDirectory(dir);
        var objs = files.Select(f => SyntheticInputs.AssembleIn(dir, ElfMachine.Mips, f.Name, f.Prefix + f.Body)).ToList();
        File.WriteAllText(Path.Combine(dir, "s.lds"), script);
        return (dir, LinkComparison.Run(dir, "s.lds", objs, ElfMachine.Mips));
    }
}
