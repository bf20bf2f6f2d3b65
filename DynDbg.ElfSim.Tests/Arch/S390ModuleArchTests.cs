using DynDbg.ElfSim.Arch;
using DynDbg.ElfSim.Elf;
using DynDbg.ElfSim.Loading;

namespace DynDbg.ElfSim.Tests.Arch;

/// <summary>
/// s390's <c>module_frob_arch_sections</c> (6.1 arch/s390/kernel/module.c) on hand-made relocations: one GOT slot
/// and one PLT entry per symbol however often it is named, and the reservation at the start of the core.
/// </summary>
[TestFixture]
public class S390ModuleArchTests
{
    private static ElfRelocation R(uint type, uint symbol, long addend = 0) => new(0, symbol, type, addend, true);

    [Test]
    public void OneGotSlotAndOnePltEntry_PerSymbol_WhateverTheTypeOrAddend()
    {
        var (got, plt) = S390ModuleArch.Count([
            R(S390ModuleArch.RPlt32Dbl, 1), R(S390ModuleArch.RPlt32Dbl, 1, 2), R(S390ModuleArch.RPlt16Dbl, 1),
            R(S390ModuleArch.RPlt32Dbl, 2), R(S390ModuleArch.RPltOff64, 3),
            R(S390ModuleArch.RGotEnt, 1), R(S390ModuleArch.RGotEnt, 1), R(S390ModuleArch.RGotPlt20, 4), R(S390ModuleArch.RGot12, 4),
            R(22 /* R_390_64 */, 5), R(19 /* R_390_PC32DBL */, 6), R(13 /* R_390_GOTOFF32: no slot */, 7),
        ]);
        (got, plt).Should().Be((2 * 8UL, 3 * 22UL), "GOT: symbols 1 and 4; PLT: symbols 1, 2 and 3");
    }

    [Test]
    public void Reserve_GotAtTheAlignedStart_PltAfterIt_ExpolineAddsOneEntryToANonEmptyPlt()
    {
        S390ModuleArch.Reserve(0, 16, 44, expoline: false).Should().Be((0UL, 16UL, 44UL, 60UL));
        S390ModuleArch.Reserve(0, 16, 44, expoline: true).Should().Be((0UL, 16UL, 66UL, 82UL));
        S390ModuleArch.Reserve(0, 8, 0, expoline: true).Should().Be((0UL, 8UL, 0UL, 8UL), "no PLT, no thunk");
        S390ModuleArch.Reserve(5, 8, 22, expoline: false).Should().Be((8UL, 16UL, 22UL, 38UL), "ALIGN(size, 4) first");
    }

    [Test]
    public void KernelConfig_ExpolineOnlyWhenBuiltInAndNotOffByDefault()
    {
        var dir = Directory.CreateTempSubdirectory("s390cfg").FullName;
        try
        {
            KernelConfig Read(string text)
            {
                var p = Path.Combine(dir, "config");
                File.WriteAllText(p, text);
                return KernelConfig.FromConfigFile(p);
            }

            Read("CONFIG_EXPOLINE=y\n").Expoline.Should().BeTrue();
            Read("CONFIG_EXPOLINE=y\nCONFIG_EXPOLINE_OFF=y\n").Expoline.Should().BeFalse();
            Read("# CONFIG_EXPOLINE is not set\n").Expoline.Should().BeFalse();
            KernelConfig.Debian61.Expoline.Should().BeFalse();
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }
}
