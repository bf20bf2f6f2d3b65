namespace DynDbg.ElfSim.Tests.RealKernel;

/// <summary>
/// Issue 13, mips64el: Debian's 5kc-malta 6.1 kernel booted under qemu-system-mips64el -M malta -cpu 5KEc
/// (scripts/qemu/boot.sh --arch mips64el, modules-mips64el.list). Where it put every section of every loaded module
/// (mips has no module_frob_arch_sections: the generic layout), its
/// coresize, and its control file before and after the insmods, the query replay (with the -dbg vmlinux), against <c>load --sections</c> and <c>load --control</c>.
/// Under CI=true a host that cannot boot it fails these tests instead of skipping them.
/// </summary>
[TestFixture]
[Category("RealKernel")]
public class Mips64elModuleSectionTests
{
    private static QemuBoot Boot => QemuBoot.Mips64el;

    [Test]
    public void EveryListedModule_LoadedOnTheMaltaBoard() => BootedModuleChecks.EveryListedModuleLoaded(Boot, "modules-mips64el.list");

    [Test]
    public void LoaderEmulation_PlacesEverySectionAtTheKernelsRegionAndOffset_WithItsCoresize() => BootedModuleChecks.PlacementAndCoresize(Boot, "mips64el");

    [Test]
    public void LoadControl_OfTheLoadedModulesInLoadOrder_EqualsTheKernelsControlAfterItsBuiltins() => BootedModuleChecks.ControlAfterBuiltins(Boot);

    [Test]
    public void LoadControl_OfTheDbgVmlinux_EqualsTheBootedBuiltinControl() => BootedModuleChecks.BuiltinControlOfTheVmlinux(Boot);

    [Test]
    public void ControlEmulation_ReplaysEveryStep_WithTheKernelsControlFileAndReturnCode() => BootedModuleChecks.QueryReplay(Boot, "mips64el");
}
