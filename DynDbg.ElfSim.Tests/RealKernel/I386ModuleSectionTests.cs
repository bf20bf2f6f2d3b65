namespace DynDbg.ElfSim.Tests.RealKernel;

/// <summary>
/// Issue 13, i386: Debian's 686 6.1 kernel (32-bit x86, REL relocations) booted under qemu-system-i386 -M pc
/// -cpu qemu32 (scripts/qemu/boot.sh --arch i386, modules-i386.list). Where it put every section of every loaded
/// module, its coresize, and its control file before and after the insmods, the query replay (with the -dbg vmlinux), against <c>load --sections</c> (x86's
/// module_frob_arch_sections is the generic no-op) and <c>load --control</c>. Under CI=true a host that cannot boot
/// it fails these tests instead of skipping them.
/// </summary>
[TestFixture]
[Category("RealKernel")]
public class I386ModuleSectionTests
{
    private static QemuBoot Boot => QemuBoot.I386;

    [Test]
    public void EveryListedModule_LoadedOnThePcMachine() => BootedModuleChecks.EveryListedModuleLoaded(Boot, "modules-i386.list");

    [Test]
    public void LoaderEmulation_PlacesEverySectionAtTheKernelsRegionAndOffset_WithItsCoresize() =>
        BootedModuleChecks.PlacementAndCoresize(Boot, "i386 qemu32");

    [Test]
    public void LoadControl_OfTheLoadedModulesInLoadOrder_EqualsTheKernelsControlAfterItsBuiltins() => BootedModuleChecks.ControlAfterBuiltins(Boot);

    [Test]
    public void LoadControl_OfTheDbgVmlinux_EqualsTheBootedBuiltinControl() => BootedModuleChecks.BuiltinControlOfTheVmlinux(Boot);

    [Test]
    public void ControlEmulation_ReplaysEveryStep_WithTheKernelsControlFileAndReturnCode() => BootedModuleChecks.QueryReplay(Boot, "i386");
}
