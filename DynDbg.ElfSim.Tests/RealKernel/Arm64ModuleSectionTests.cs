namespace DynDbg.ElfSim.Tests.RealKernel;

/// <summary>
/// Issue 13, arm64: Debian's arm64 6.1 kernel booted under qemu-system-aarch64 -M virt -cpu cortex-a57, and again
/// on a cortex-a53, whose erratum 843419 workaround changes PLT counts and text alignment (scripts/qemu/boot.sh
/// --arch arm64 [--cpu cortex-a53], modules-arm64.list). Where it put every section of every loaded module, its
/// coresize, and its control file before and after the insmods, the query replay (with the -dbg vmlinux), against <c>load --sections --cpu</c> (with arm64's
/// module_frob_arch_sections: .plt, .init.plt, .text.ftrace_trampoline sized at load time) and
/// <c>load --control</c>. Under CI=true a host that cannot boot it fails these tests instead of skipping them.
/// </summary>
[TestFixture("cortex-a57")]
[TestFixture("cortex-a53")]
[Category("RealKernel")]
public class Arm64ModuleSectionTests(string cpu)
{
    private QemuBoot Boot => QemuBoot.Arm64On(cpu);

    [Test]
    public void EveryListedModule_LoadedOnTheVirtMachine() => BootedModuleChecks.EveryListedModuleLoaded(Boot, "modules-arm64.list");

    [Test]
    public void LoaderEmulation_PlacesEverySectionAtTheKernelsRegionAndOffset_WithItsCoresize() =>
        BootedModuleChecks.PlacementAndCoresize(Boot, $"arm64 {cpu}", "--cpu", cpu);

    [Test]
    public void LoadControl_OfTheLoadedModulesInLoadOrder_EqualsTheKernelsControlAfterItsBuiltins() => BootedModuleChecks.ControlAfterBuiltins(Boot);

    [Test]
    public void LoadControl_OfTheDbgVmlinux_EqualsTheBootedBuiltinControl() => BootedModuleChecks.BuiltinControlOfTheVmlinux(Boot);

    [Test]
    public void ControlEmulation_ReplaysEveryStep_WithTheKernelsControlFileAndReturnCode() => BootedModuleChecks.QueryReplay(Boot, $"arm64 {cpu}");
}
