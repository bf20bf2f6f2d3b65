namespace DynDbg.ElfSim.Tests.RealKernel;

/// <summary>
/// Issue 13, armhf: Debian's armmp 6.1 kernel booted under qemu-system-arm -M virt,highmem=off -cpu cortex-a15
/// (scripts/qemu/boot.sh --arch armhf, modules-armhf.list). Where it put every section of every loaded module, its
/// coresize, and its control file before and after the insmods, the query replay (with the -dbg vmlinux), against <c>load --sections</c> (with arm's
/// module_frob_arch_sections: .plt and .init.plt sized in 16-entry blocks at load time, and arm's
/// module_init_section, which sends .ARM.extab.init*/.ARM.exidx.init* to init) and <c>load --control</c>.
/// Under CI=true a host that cannot boot it fails these tests instead of skipping them.
/// </summary>
[Category("RealKernel")]
public class ArmhfModuleSectionTests
{
    private static QemuBoot Boot => QemuBoot.Armhf;

    [Test]
    public void EveryListedModule_LoadedOnTheVirtMachine() => BootedModuleChecks.EveryListedModuleLoaded(Boot, "modules-armhf.list");

    [Test]
    public void LoaderEmulation_PlacesEverySectionAtTheKernelsRegionAndOffset_WithItsCoresize() =>
        BootedModuleChecks.PlacementAndCoresize(Boot, "armhf cortex-a15");

    [Test]
    public void LoadControl_OfTheLoadedModulesInLoadOrder_EqualsTheKernelsControlAfterItsBuiltins() => BootedModuleChecks.ControlAfterBuiltins(Boot);

    [Test]
    public void LoadControl_OfTheDbgVmlinux_EqualsTheBootedBuiltinControl() => BootedModuleChecks.BuiltinControlOfTheVmlinux(Boot);

    [Test]
    public void ControlEmulation_ReplaysEveryStep_WithTheKernelsControlFileAndReturnCode() => BootedModuleChecks.QueryReplay(Boot, "armhf");
}
