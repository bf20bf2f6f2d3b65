using DynDbg.ElfSim.Tests.Cli;

namespace DynDbg.ElfSim.Tests.RealKernel;

/// <summary>
/// Issue 13, armhf: Debian's armmp 6.1 kernel booted under qemu-system-arm -M virt,highmem=off -cpu cortex-a15
/// (scripts/qemu/boot.sh --arch armhf, modules-armhf.list). Where it put every section of every loaded module, its
/// coresize, and its control file after the insmods, against <c>load --sections</c> (with arm's
/// module_frob_arch_sections: .plt and .init.plt sized in 16-entry blocks at load time, and arm's
/// module_init_section, which sends .ARM.extab.init*/.ARM.exidx.init* to init) and <c>load --control</c>.
/// Under CI=true a host that cannot boot it fails these tests instead of skipping them.
/// </summary>
[Category("RealKernel")]
public class ArmhfModuleSectionTests
{
    private static QemuBoot Boot => QemuBoot.Armhf;

    [Test]
    public void EveryListedModule_LoadedOnTheVirtMachine()
    {
        var truth = Boot.Truth;
        var listed = File.ReadAllLines(Path.Combine(TestPaths.Root, "scripts", "qemu", "modules-armhf.list"))
            .Select(l => l.Split('#')[0].Trim().Replace('-', '_')).Where(l => l.Length > 0).ToList();
        truth.Modules.Select(m => m.Name).Should().Contain(listed);
        truth.Modules.Where(m => !m.Loaded).Select(m => $"{m.Name}: {m.Message}").Should().BeEmpty();
        truth.Loaded.Count().Should().BeGreaterThanOrEqualTo(20);
        foreach (var m in truth.Loaded)
        {
            truth.IsListedInProcModules(m.Name).Should().BeTrue(m.Name);
        }
    }

    [Test]
    public void LoaderEmulation_PlacesEverySectionAtTheKernelsRegionAndOffset_WithItsCoresize()
    {
        var truth = Boot.Truth;
        var mismatches = new List<string>();
        int agree = 0, modules = 0;
        foreach (var m in truth.Loaded)
        {
            var ours = LoaderSections.Of(Boot.ModulePath(m), "--kernel-config", Boot.KernelConfig);
            agree += ours.CompareWith(m.Name, truth.Sections(m.Name), mismatches);

            // the other direction: a section we place in /sys/module/*/sections that the kernel does not list
            var listed = truth.Sections(m.Name).Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
            mismatches.AddRange(ours.Sections.Where(s => s.InSysfs && !listed.Contains(s.Name))
                .Select(s => $"{m.Name} {s.Name}: {s.Region}+0x{s.Offset:x}, not listed by the kernel"));
            if (ours.CoreSize != truth.CoreSize(m.Name))
            {
                mismatches.Add($"{m.Name} coresize: {ours.CoreSize}, kernel {truth.CoreSize(m.Name)}");
            }

            modules++;
        }

        TestContext.Out.WriteLine($"armhf cortex-a15: sections agreeing with the kernel: {agree} of {agree + mismatches.Count} ({modules} modules, coresize compared)");
        mismatches.Should().BeEmpty();
    }

    [Test]
    public void LoadControl_OfTheLoadedModulesInLoadOrder_EqualsTheKernelsControlAfterItsBuiltins()
    {
        // No armhf vmlinux with symbols is fetched, so the built-in part is taken from the kernel itself: the control
        // file after the insmods must start with the built-in one, and the rest is the modules' tables in add order.
        var truth = Boot.Truth;
        var builtin = File.ReadAllBytes(truth.BuiltinControlPath);
        var after = File.ReadAllBytes(truth.InsmodControlPath);
        after.AsSpan().StartsWith(builtin).Should().BeTrue("the built-in tables come first, and no insmod changed them");
        var header = builtin.AsSpan(0, builtin.AsSpan().IndexOf((byte)'\n') + 1).ToArray();
        var modulesPart = header.Concat(after.Skip(builtin.Length)).ToArray();

        var args = new[] { "load", "--control", "--separate" }.Concat(truth.Loaded.Select(Boot.ModulePath)).ToArray();
        var (code, output, err) = CliRunner.Run(args);
        code.Should().Be(0, err);
        ControlDiff.Describe(output, modulesPart).Should().BeNull();
    }
}
