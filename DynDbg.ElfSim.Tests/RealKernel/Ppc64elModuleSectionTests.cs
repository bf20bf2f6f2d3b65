namespace DynDbg.ElfSim.Tests.RealKernel;

/// <summary>
/// Issue 13, ppc64el: Debian's powerpc64le 6.1 kernel booted under qemu-system-ppc64 -M pseries -cpu power9
/// (scripts/qemu/boot.sh --arch ppc64el, modules-ppc64el.list). Where it put every section of every loaded module
/// (with powerpc's module_frob_arch_sections: .stubs sized from the REL24 relocations, .toc as the TOC), its
/// coresize, its control file before and after the insmods, and the query replay, against <c>load --sections</c>,
/// <c>load --control</c> and <c>control</c> (the image package ships the vmlinux with symbols).
/// Under CI=true a host that cannot boot it fails these tests instead of skipping them.
/// </summary>
[TestFixture]
[Category("RealKernel")]
public class Ppc64elModuleSectionTests
{
    private static QemuBoot Boot => QemuBoot.Ppc64el;

    [Test]
    public void EveryListedModule_LoadedOnThePseriesMachine() => BootedModuleChecks.EveryListedModuleLoaded(Boot, "modules-ppc64el.list");

    [Test]
    public void LoaderEmulation_PlacesEverySectionAtTheKernelsRegionAndOffset_WithItsCoresize() => BootedModuleChecks.PlacementAndCoresize(Boot, "ppc64el");

    [Test]
    public void LoadControl_OfTheLoadedModulesInLoadOrder_EqualsTheKernelsControlAfterItsBuiltins() => BootedModuleChecks.ControlAfterBuiltins(Boot);

    [Test]
    public void LoadControl_OfTheImagesVmlinux_EqualsTheBootedBuiltinControl() => BootedModuleChecks.BuiltinControlOfTheVmlinux(Boot);

    [Test]
    public void ControlEmulation_ReplaysEveryStep_WithTheKernelsControlFileAndReturnCode() => BootedModuleChecks.QueryReplay(Boot, "ppc64el");
}
