namespace DynDbg.ElfSim.Tests.RealKernel;

/// <summary>
/// Issue 13, s390x: Debian's big-endian s390x 6.1 kernel booted under qemu-system-s390x -M s390-ccw-virtio
/// (scripts/qemu/boot.sh --arch s390x, modules-s390x.list). Where it put every section of every loaded module, its
/// coresize, and its control file before and after the insmods, the query replay (with the -dbg vmlinux), against <c>load --sections</c> (with s390's
/// module_frob_arch_sections: the GOT and PLT reserved at the start of the core, so every core section sits
/// after them) and <c>load --control</c>. Under CI=true a host that cannot boot it fails these tests instead of
/// skipping them.
/// </summary>
[TestFixture]
[Category("RealKernel")]
public class S390xModuleSectionTests
{
    private static QemuBoot Boot => QemuBoot.S390x;

    [Test]
    public void EveryListedModule_LoadedOnTheCcwMachine() => BootedModuleChecks.EveryListedModuleLoaded(Boot, "modules-s390x.list");

    [Test]
    public void LoaderEmulation_PlacesEverySectionAtTheKernelsRegionAndOffset_WithItsCoresize()
    {
        BootedModuleChecks.PlacementAndCoresize(Boot, "s390x");

        // the GOT and PLT come first: nearly every module's first core section is past core+0, as the kernel shows
        var truth = Boot.Truth;
        var reserved = truth.Loaded.Count(m => truth.Sections(m.Name).Where(s => s.Region == "core").Select(s => s.Offset).DefaultIfEmpty(0UL).Min() > 0);
        TestContext.Out.WriteLine($"s390x: {reserved} of {truth.Loaded.Count()} modules with a GOT/PLT before their first core section");
        reserved.Should().BeGreaterThan(truth.Loaded.Count() / 2, "s390 modules call through the PLT and load through the GOT, so most reserve both");
    }

    [Test]
    public void LoadControl_OfTheLoadedModulesInLoadOrder_EqualsTheKernelsControlAfterItsBuiltins() => BootedModuleChecks.ControlAfterBuiltins(Boot);

    [Test]
    public void LoadControl_OfTheDbgVmlinux_EqualsTheBootedBuiltinControl() => BootedModuleChecks.BuiltinControlOfTheVmlinux(Boot);

    [Test]
    public void ControlEmulation_ReplaysEveryStep_WithTheKernelsControlFileAndReturnCode() => BootedModuleChecks.QueryReplay(Boot, "s390x");
}
