using DynDbg.ElfSim.Arch;
using DynDbg.ElfSim.Elf;
using DynDbg.ElfSim.Loading;

namespace DynDbg.ElfSim.Tests.Arch;

/// <summary>
/// ppc64's <c>module_frob_arch_sections</c> (6.1 arch/powerpc/kernel/module_64.c, ELFv2) on hand-made relocation
/// tables: what <c>get_stubs_size</c> counts, with <c>count_relocs</c>' C-type quirks, and the init rule
/// (<c>module_init_section</c> is always false). The booted kernel's side is Ppc64elModuleSectionTests.
/// </summary>
[TestFixture]
public class Ppc64ModuleArchTests
{
    private const ulong Entry = Ppc64ModuleArch.StubEntrySize;

    private static ElfRelocation Rel24(uint symbol, long addend = 0) => new(0, symbol, Ppc64ModuleArch.RRel24, addend, true);

    private static ElfRelocation Addr64(uint symbol) => new(0, symbol, 38 /* R_PPC64_ADDR64 */, 0, true);

    private static ulong Stubs(KernelConfig config, params ElfRelocation[][] tables) => Ppc64ModuleArch.StubsSize(tables, config) / Entry;

    [Test]
    public void StubEntry_Is40Bytes_OnElfV2()
    {
        Entry.Should().Be(40, "u32 jump[7] + u32 magic + func_desc_t { unsigned long addr }");
        Ppc64ModuleArch.StubEntrySizeElfV1.Should().Be(56, "func_desc_t is the three-word descriptor on ELFv1");
    }

    [Test]
    public void OneStub_PerDistinctSymbolAndAddend_PlusTerminatorAndTwoFtraceStubs()
    {
        var table = new[] { Rel24(3), Rel24(5), Rel24(3), Rel24(3, 8), Addr64(7), Addr64(3), Rel24(5) };
        Stubs(KernelConfig.Debian61, table).Should().Be(3 + 1 + 2, "(3,0), (3,8) and (5,0); the zero entry; ftrace_caller and ftrace_regs_caller");
    }

    [Test]
    public void FtraceStubs_FollowTheConfig()
    {
        var table = new[] { Rel24(3) };
        Stubs(KernelConfig.Debian61 with { DynamicFtraceWithRegs = false }, table).Should().Be(1 + 1 + 1);
        Stubs(KernelConfig.Debian61 with { DynamicFtrace = false, DynamicFtraceWithRegs = false }, table).Should().Be(1 + 1);
    }

    [Test]
    public void EachTable_CountsOnItsOwn()
    {
        // .rela.text and .rela.init.text both call printk: two stubs, as the kernel sizes it (it only shares at run time)
        Stubs(KernelConfig.Debian61, [Rel24(3)], [Rel24(3)]).Should().Be(2 + 3);
    }

    [Test]
    public void CountRelocs_CTypeQuirks_NegativeAddendsNeverMatch_SymbolZeroAddendZeroIsNeverCounted()
    {
        // the running addend is an unsigned int compared with the signed 64-bit r_addend: -4 never equals it
        Stubs(KernelConfig.Debian61, [Rel24(3, -4), Rel24(3, -4), Rel24(3, -4)]).Should().Be(3 + 3);
        // the running state starts at (0, 0): a REL24 to symbol 0 with addend 0 looks like "the same as before"
        Stubs(KernelConfig.Debian61, [Rel24(0), Rel24(0)]).Should().Be(0 + 3);
        // after the descending sort, (0,0) comes last: following (4,0) it is new
        Stubs(KernelConfig.Debian61, [Rel24(0), Rel24(4)]).Should().Be(2 + 3);
    }

    [Test]
    public void NothingIsInit_ExitOnlyWithoutModuleUnload()
    {
        var arch = Ppc64ModuleArch.Instance;
        arch.IsInitLayoutSection(".init.text", KernelConfig.Debian61).Should().BeFalse();
        arch.IsInitLayoutSection(".init.data", KernelConfig.Debian61).Should().BeFalse();
        arch.IsInitLayoutSection(".exit.text", KernelConfig.Debian61).Should().BeFalse();
        arch.IsInitLayoutSection(".exit.text", KernelConfig.Debian61 with { ModuleUnload = false }).Should().BeTrue();
        ModuleArch.For(ElfMachine.Ppc64).Should().BeSameAs(arch);
        ModuleArch.For(ElfMachine.Mips).Should().BeSameAs(MipsModuleArch.Instance);
    }

    [TestCase("CONFIG_PPC_64K_PAGES=y\nCONFIG_PAGE_SIZE_64KB=y\n", 65536u)]
    [TestCase("CONFIG_ARM64_16K_PAGES=y\n", 16384u)]
    [TestCase("CONFIG_PAGE_SIZE_16KB=y\n", 16384u)]
    [TestCase("CONFIG_PPC_4K_PAGES=y\n", 4096u)]
    [TestCase("# CONFIG_PPC_64K_PAGES is not set\nCONFIG_MODULES=y\n", 4096u)]
    public void KernelConfig_PageSize_FromTheArchsChoice(string text, uint expected)
    {
        var dir = Directory.CreateTempSubdirectory("pagecfg").FullName;
        try
        {
            var p = Path.Combine(dir, "config");
            File.WriteAllText(p, text);
            KernelConfig.FromConfigFile(p).PageSize.Should().Be(expected);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }
}
