using DynDbg.ElfSim.Arch;
using DynDbg.ElfSim.Elf;
using DynDbg.ElfSim.Loading;
using DynDbg.ElfSim.Tests.Real;

namespace DynDbg.ElfSim.Tests.Arch;

/// <summary>
/// arm64's <c>module_frob_arch_sections</c> on Debian's real arm64 modules, against an independent count from GNU
/// readelf's text (aarch64-linux-gnu-readelf or any readelf that reads EM_AARCH64). The booted kernel's own
/// verdict is the RealKernel category's (Arm64ModuleSectionTests).
/// </summary>
[TestFixture]
[Category("Real")]
public class RealAarch64PltTests
{
    [Test]
    public void RealModule_PltSectionsBecomeNoBitsText_SizedFromItsRelocations()
    {
        var ko = Path.Combine(RealInputs.Arch("arm64").Modules, "kernel/net/bluetooth/bnep/bnep.ko");
        using var f = ElfFile.Open(ko);
        var layout = ModuleLoader.Layout(f, KernelConfig.Debian61);
        layout.Notes.Should().NotContain(n => n.Contains("module_frob_arch_sections", StringComparison.Ordinal));
        var plt = layout.Find(".plt")!;
        var initPlt = layout.Find(".init.plt")!;
        var tramp = layout.Find(".text.ftrace_trampoline")!;
        f.FindSection(".plt")!.Size.Should().Be(1, "module.lds.h leaves a 1-byte placeholder");
        (plt.Region, plt.Pass, plt.Align, plt.NoBits).Should().Be((ModuleRegion.Core, "text", 64UL, true));
        (initPlt.Region, initPlt.Pass, initPlt.Align, initPlt.NoBits).Should().Be((ModuleRegion.Init, "text", 64UL, true));
        (tramp.Region, tramp.Pass, tramp.Align, tramp.Size).Should().Be((ModuleRegion.Core, "text", 4UL, 24UL));
        plt.Size.Should().Be(12 * (63 + 1), "bnep's .text calls 63 distinct outside targets (readelf -r)");
        initPlt.Size.Should().Be(12 * (10 + 1));
    }

    /// <summary>
    /// Every 8th arm64 module (about 460): .plt and .init.plt hold one 12-byte entry more than count_plts found,
    /// and that count is what readelf shows: one per distinct (type, symbol) with a zero addend plus one per entry
    /// with another addend, over the CALL26/JUMP26 relocations into executable sections whose symbol is not
    /// defined in the section relocated. The kernel's partition can add one per table and never removes one
    /// (<see cref="Aarch64ModuleArchTests.PartitionQuirk_LeavesTheLastSlotUnsorted"/>), so each module's count is
    /// within [readelf, readelf + tables with such branches].
    /// </summary>
    [Test]
    public void PltSizes_AgreeWithReadelfsBranchTargets()
    {
        var arch = RealInputs.Arch("arm64");
        var kos = arch.ModuleFiles().Where((_, i) => i % 8 == 0).ToArray();
        var failures = new List<string>();
        int exact = 0, quirk = 0;
        foreach (var ko in kos)
        {
            using var f = ElfFile.Open(ko);
            var layout = ModuleLoader.Layout(f, KernelConfig.Debian61);
            var ours = (Core: layout.Find(".plt")!.Size / 12 - 1, Init: layout.Find(".init.plt")!.Size / 12 - 1);
            ulong core = 0, init = 0, coreTables = 0, initTables = 0;
            foreach (var t in ReadelfOracle.RelocationsIntoCode(ko, "R_AARCH64_CALL26", "R_AARCH64_JUMP26"))
            {
                var outside = t.Entries.Where(e => e.SymbolNdx != t.Target.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList();
                var n = (ulong)(outside.Where(e => e.Addend == 0).Select(e => (e.Type, e.Symbol)).Distinct().Count() + outside.Count(e => e.Addend != 0));
                var tables = outside.Count > 0 ? 1UL : 0UL;
                if (t.TargetName.StartsWith(".init", StringComparison.Ordinal))
                {
                    (init, initTables) = (init + n, initTables + tables);
                }
                else
                {
                    (core, coreTables) = (core + n, coreTables + tables);
                }
            }

            if (ours.Core < core || ours.Core > core + coreTables || ours.Init < init || ours.Init > init + initTables)
            {
                failures.Add($"{arch.Relative(ko)}: ours core {ours.Core} init {ours.Init}, readelf core {core} (+{coreTables}) init {init} (+{initTables})");
            }
            else if (ours == (core, init))
            {
                exact++;
            }
            else
            {
                quirk++;
            }
        }

        TestContext.Out.WriteLine($"arm64: {kos.Length} modules, {exact} with readelf's exact count, {quirk} one more (partition)");
        failures.Should().BeEmpty();
        exact.Should().BeGreaterThan(kos.Length * 9 / 10);
    }
}
