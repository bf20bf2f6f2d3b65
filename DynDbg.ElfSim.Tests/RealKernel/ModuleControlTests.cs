using DynDbg.ElfSim.DynDbg;
using DynDbg.ElfSim.Elf;
using DynDbg.ElfSim.Tests.Cli;

namespace DynDbg.ElfSim.Tests.RealKernel;

/// <summary>
/// Issue 7, comparison 2: the same modules loaded in the same order give the same control file. Today's
/// <c>load --control VMLINUX MODULE.ko...</c> already prints the tables in add order (list_add_tail, reference
/// §3.1), which is what the kernel shows after those insmods; the harness's module list is checked first.
/// </summary>
[TestFixture]
[Category("RealKernel")]
[NonParallelizable] // real-kernel fixtures run one at a time, as before the unit tests ran in parallel
public class ModuleControlTests
{
    private static string Normal(string name) => name.Replace('-', '_');

    [Test]
    public void EveryListedModule_WasTried_AfterEveryModuleItDependsOn()
    {
        var truth = QemuHarness.Truth;
        var tried = truth.Modules.Select(m => m.Name).ToList();
        var listed = File.ReadAllLines(Path.Combine(TestPaths.Root, "scripts", "qemu", "modules.list"))
            .Select(l => l.Split('#')[0].Trim()).Where(l => l.Length > 0).Select(Normal).ToList();
        tried.Should().Contain(listed);
        tried.Should().OnlyHaveUniqueItems();

        // The order came from busybox depmod's modules.dep; modpost's own depends= in .modinfo is an
        // independent statement of the same graph.
        foreach (var m in truth.Modules)
        {
            using var ko = ElfFile.Open(QemuHarness.ModulePath(m));
            var depends = KernelVersionProbe.ModInfo(ko, ko.FindSection(".modinfo")!, "depends") ?? "";
            foreach (var dep in depends.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(Normal))
            {
                tried.IndexOf(dep).Should().BeInRange(0, tried.IndexOf(m.Name) - 1, $"{m.Name} depends on {dep}");
            }
        }
    }

    [Test]
    public void LoadedModules_AreLiveInProcModules_AndFailedOnesAreAbsent()
    {
        var truth = QemuHarness.Truth;
        truth.Loaded.Should().NotBeEmpty();
        foreach (var m in truth.Modules)
        {
            truth.IsListedInProcModules(m.Name).Should().Be(m.Loaded, $"{m.Name}: {m.Message}");
            if (!m.Loaded)
            {
                m.Message.Should().NotBeEmpty("a failed insmod says why");
            }
        }
    }

    [Test]
    public void LoadControl_OfTheVmlinuxAndTheLoadedModulesInLoadOrder_EqualsTheKernelsControl()
    {
        var truth = QemuHarness.Truth;
        var args = new[] { "load", "--control", "--separate", QemuHarness.Vmlinux }.Concat(truth.Loaded.Select(QemuHarness.ModulePath)).ToArray();
        var (code, output, err) = CliRunner.Run(args);
        code.Should().Be(0, err);
        ControlDiff.Describe(output, File.ReadAllBytes(truth.InsmodControlPath)).Should().BeNull();
    }
}
