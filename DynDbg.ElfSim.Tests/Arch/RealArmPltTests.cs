using DynDbg.ElfSim.Arch;
using DynDbg.ElfSim.Elf;
using DynDbg.ElfSim.Loading;
using DynDbg.ElfSim.Tests.Real;

namespace DynDbg.ElfSim.Tests.Arch;

/// <summary>
/// arm's <c>module_frob_arch_sections</c> on Debian's real armhf (armmp) modules, against an independent count from
/// GNU readelf's text (relocations, symbols, and the implicit addends from the hex dump of the relocated section).
/// The booted kernel's own verdict is the RealKernel category's (ArmhfModuleSectionTests).
/// </summary>
[TestFixture]
[Category("Real")]
public class RealArmPltTests
{
    [Test]
    public void RealModule_PltSectionsBecomeNoBitsText_InWholeBlocks_AndUnwindTablesOfInitGoToInit()
    {
        var ko = Path.Combine(RealInputs.Arch("armhf").Modules, "kernel/net/bluetooth/bnep/bnep.ko");
        using var f = ElfFile.Open(ko);
        var layout = ModuleLoader.Layout(f, KernelConfig.Debian61);
        layout.Notes.Should().NotContain(n => n.Contains("module_frob_arch_sections", StringComparison.Ordinal));
        f.FindSection(".plt")!.Size.Should().Be(1, "module.lds.h leaves a 1-byte placeholder");
        var plt = layout.Find(".plt")!;
        var initPlt = layout.Find(".init.plt")!;
        (plt.Region, plt.Pass, plt.Align, plt.NoBits).Should().Be((ModuleRegion.Core, "text", 64UL, true));
        (initPlt.Region, initPlt.Pass, initPlt.Align, initPlt.NoBits).Should().Be((ModuleRegion.Init, "text", 64UL, true));
        (plt.Size % 128).Should().Be(0, "whole struct plt_entries blocks of 16 x 8 bytes");
        initPlt.Size.Should().Be(128, "the init code's few calls and the two ftrace PLTs fit one block");
        layout.Find(".ARM.exidx.init.text")!.Region.Should().Be(ModuleRegion.Init, "arm's module_init_section");
        layout.Find(".ARM.exidx.exit.text")!.Region.Should().Be(ModuleRegion.Core, "modules can be unloaded");
    }

    /// <summary>
    /// Every 8th armhf module (about 440): count_plts per region as readelf shows it, and the section sizes that
    /// follow. Ideally one PLT per distinct (type, symbol) with a zero addend plus one per branch with another
    /// addend, over the branches into executable sections whose symbol is not defined in the section relocated. The
    /// kernel's duplicate test only looks at the slot before, so where one (type, symbol) has both zero and other
    /// addends a zero one may count again after a non-zero one: each such group may add up to min(zero, other).
    /// </summary>
    [Test]
    public void PltCounts_AgreeWithReadelfsBranchTargets_AndSizeTheSections()
    {
        var arch = RealInputs.Arch("armhf");
        var kos = arch.ModuleFiles().Where((_, i) => i % 8 == 0).ToArray();
        var failures = new List<string>();
        int exact = 0, mixed = 0;
        foreach (var ko in kos)
        {
            using var f = ElfFile.Open(ko);
            var ours = ArmModuleArch.Instance.SizePlts(f, new LoaderSectionHeaders(f.Sections), "m", KernelConfig.Debian61);
            var layout = ModuleLoader.Layout(f, KernelConfig.Debian61);
            ulong core = 0, init = 0, coreSlack = 0, initSlack = 0;
            foreach (var t in ReadelfOracle.ArmBranchesIntoCode(ko))
            {
                var outside = t.Entries.Where(e => e.SymbolNdx != t.Target.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList();
                var n = (ulong)(outside.Where(e => e.Addend == 0).Select(e => (e.Type, e.Symbol)).Distinct().Count() + outside.Count(e => e.Addend != 0));
                var slack = (ulong)outside.GroupBy(e => (e.Type, e.Symbol))
                    .Sum(g => Math.Min(g.Count(e => e.Addend == 0), g.Count(e => e.Addend != 0)));
                if (t.TargetName.StartsWith(".init", StringComparison.Ordinal))
                {
                    (init, initSlack) = (init + n, initSlack + slack);
                }
                else
                {
                    (core, coreSlack) = (core + n, coreSlack + slack);
                }
            }

            (core, init) = (core + ArmModuleArch.FixedPlts, init + ArmModuleArch.FixedPlts);
            if (ours.Core < core || ours.Core > core + coreSlack || ours.Init < init || ours.Init > init + initSlack)
            {
                failures.Add($"{arch.Relative(ko)}: ours core {ours.Core} init {ours.Init}, readelf core {core} (+{coreSlack}) init {init} (+{initSlack})");
            }
            else if (ours == (core, init))
            {
                exact++;
            }
            else
            {
                mixed++;
            }

            static ulong Blocks(ulong n) => (n * 8 + 127) / 128 * 128;
            if (layout.Find(".plt")!.Size != Blocks(ours.Core) || layout.Find(".init.plt")!.Size != Blocks(ours.Init))
            {
                failures.Add($"{arch.Relative(ko)}: .plt {layout.Find(".plt")!.Size} / .init.plt {layout.Find(".init.plt")!.Size} for {ours.Core} / {ours.Init} PLTs");
            }
        }

        TestContext.Out.WriteLine($"armhf: {kos.Length} modules, {exact} with readelf's exact count, {mixed} above it (mixed addends)");
        failures.Should().BeEmpty();
        exact.Should().BeGreaterThan(kos.Length * 9 / 10);
    }
}
