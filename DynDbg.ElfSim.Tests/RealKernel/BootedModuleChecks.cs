using System.Text;
using DynDbg.ElfSim.DynDbg;
using DynDbg.ElfSim.Elf;
using DynDbg.ElfSim.Tests.Cli;

namespace DynDbg.ElfSim.Tests.RealKernel;

/// <summary>
/// The three comparisons every booted non-amd64 kernel gets (Arm64ModuleSectionTests, S390xModuleSectionTests):
/// the module list loaded, every section at the kernel's region and offset with its coresize, and the modules'
/// part of the control file after the insmods.
/// </summary>
public static class BootedModuleChecks
{
    /// <summary>Every name of scripts/qemu/<paramref name="listFile"/> was tried and loaded, ≥ 20 modules, all in /proc/modules.</summary>
    public static void EveryListedModuleLoaded(QemuBoot boot, string listFile)
    {
        var truth = boot.Truth;
        var listed = File.ReadAllLines(Path.Combine(TestPaths.Root, "scripts", "qemu", listFile))
            .Select(l => l.Split('#')[0].Trim().Replace('-', '_')).Where(l => l.Length > 0).ToList();
        truth.Modules.Select(m => m.Name).Should().Contain(listed);
        truth.Modules.Where(m => !m.Loaded).Select(m => $"{m.Name}: {m.Message}").Should().BeEmpty();
        truth.Loaded.Count().Should().BeGreaterThanOrEqualTo(20);
        foreach (var m in truth.Loaded)
        {
            truth.IsListedInProcModules(m.Name).Should().BeTrue(m.Name);
        }
    }

    /// <summary>
    /// <c>load --sections --kernel-config &lt;the booted config&gt; <paramref name="extraArgs"/></c> of every loaded
    /// module against /sys/module/*/sections (both directions) and coresize; fails on any difference. Returns how
    /// many modules were compared.
    /// </summary>
    public static int PlacementAndCoresize(QemuBoot boot, string label, params string[] extraArgs)
    {
        var truth = boot.Truth;
        var mismatches = new List<string>();
        int agree = 0, modules = 0;
        foreach (var m in truth.Loaded)
        {
            var ours = LoaderSections.Of(boot.ModulePath(m), ["--kernel-config", boot.KernelConfig, .. extraArgs]);
            agree += ours.CompareWith(m.Name, truth.Sections(m.Name), mismatches);

            // the other direction: a section we place in /sys/module/*/sections that the kernel does not list
            var listed = truth.Sections(m.Name).Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
            mismatches.AddRange(ours.Sections.Where(s => s.InSysfs && !listed.Contains(s.Name))
                .Select(s => $"{m.Name} {s.Name}: {s.Region}+0x{s.Offset:x}, not listed by the kernel"));
            if (ours.CoreSize != truth.CoreSize(m.Name))
            {
                mismatches.Add($"{m.Name} coresize: {ours.CoreSize}, kernel {truth.CoreSize(m.Name)}");
            }

            // /sys/module/<m>/coresize and initsize as the report gives them; the kernel's initsize is read after
            // init ran, when do_init_module has freed the init region and zeroed it
            if (ours.Sysfs != (truth.CoreSize(m.Name), truth.InitSize(m.Name)))
            {
                mismatches.Add($"{m.Name} sysfs coresize/initsize: {ours.Sysfs}, kernel ({truth.CoreSize(m.Name)}, {truth.InitSize(m.Name)})");
            }

            modules++;
        }

        TestContext.Out.WriteLine($"{label}: sections agreeing with the kernel: {agree} of {agree + mismatches.Count} ({modules} modules, coresize and initsize compared)");
        mismatches.Should().BeEmpty();
        return modules;
    }

    /// <summary>
    /// No vmlinux with symbols is fetched for these arches, so the built-in part is taken from the kernel itself:
    /// the control file after the insmods must start with the built-in one, and the rest is the modules' tables in
    /// add order, byte for byte what <c>load --control --separate</c> prints for them.
    /// </summary>
    public static void ControlAfterBuiltins(QemuBoot boot)
    {
        var truth = boot.Truth;
        var builtin = File.ReadAllBytes(truth.BuiltinControlPath);
        var after = File.ReadAllBytes(truth.InsmodControlPath);
        after.AsSpan().StartsWith(builtin).Should().BeTrue("the built-in tables come first, and no insmod changed them");
        var header = builtin.AsSpan(0, builtin.AsSpan().IndexOf((byte)'\n') + 1).ToArray();
        var modulesPart = header.Concat(after.Skip(builtin.Length)).ToArray();

        var args = new[] { "load", "--control", "--separate" }.Concat(truth.Loaded.Select(boot.ModulePath)).ToArray();
        var (code, output, err) = CliRunner.Run(args);
        code.Should().Be(0, err);
        ControlDiff.Describe(output, modulesPart).Should().BeNull();
    }

    /// <summary>
    /// Where the arch's vmlinux with symbols is fetched (ppc64el's image package ships it): it is the booted build
    /// (linux_banner is /proc/version, .notes is /sys/kernel/notes), and <c>load --control</c> of it is the booted
    /// built-in control file, byte for byte.
    /// </summary>
    public static void BuiltinControlOfTheVmlinux(QemuBoot boot)
    {
        var truth = boot.Truth;
        var path = boot.Vmlinux;
        using (var vmlinux = ElfFile.Open(path))
        {
            KernelVersionProbe.LinuxBanner(vmlinux).Should().Be(truth.Version + "\n");
            var notes = vmlinux.FindSection(".notes");
            notes.Should().NotBeNull();
            vmlinux.GetContents(notes!).ToArray().Should().Equal(truth.KernelNotes);
        }

        var (code, output, err) = CliRunner.Run("load", "--control", path);
        code.Should().Be(0, err);
        ControlDiff.Describe(output, File.ReadAllBytes(truth.BuiltinControlPath)).Should().BeNull();
    }

    /// <summary>
    /// The query replay: step N is <c>control VMLINUX MODULES... --query=1 ... --query=N</c> (one write each, the
    /// modules in the kernel's load order) against the kernel's control file after write N and its return codes
    /// (exit 1 once any write failed). Returns the number of steps.
    /// </summary>
    public static int QueryReplay(QemuBoot boot, string label)
    {
        var truth = boot.Truth;
        var images = new[] { boot.Vmlinux }.Concat(truth.Loaded.Select(boot.ModulePath)).ToArray();
        var mismatches = new List<string>();
        var anyFailed = false;
        foreach (var s in truth.Steps)
        {
            var queries = truth.Steps.Take(s.Number).Select(q => "--query=" + Encoding.UTF8.GetString(q.Query));
            var (code, output, err) = CliRunner.Run(["control", .. images, .. queries]);
            anyFailed |= s.Rc < 0;
            var diff = ControlDiff.Describe(output, File.ReadAllBytes(s.ControlPath));
            if (diff is not null || code != (anyFailed ? 1 : 0))
            {
                mismatches.Add($"step {s.Number} '{s.Display}' (kernel rc {s.Rc}): exit {code}{(diff is null ? "" : "; " + diff)}; {err.Trim()}");
            }
        }

        TestContext.Out.WriteLine($"{label}: query steps agreeing with the kernel: {truth.Steps.Count - mismatches.Count} of {truth.Steps.Count}");
        mismatches.Should().BeEmpty();
        return truth.Steps.Count;
    }

    /// <summary>
    /// Our relocated core of every module against the kernel's (/proc/kcore, <see cref="LoadedBytes"/>): every
    /// relocated field of a read-only section, .stubs/.plt/.got and __dyndbg agree, apart from the sites the kernel
    /// patches at run time. Writable data the modules' init code may have changed is counted, not failed.
    /// </summary>
    public static LoadedBytes RelocatedCoreBytes(QemuBoot boot, string label, global::DynDbg.ElfSim.Arch.ModuleArchOptions? options = null)
    {
        var r = LoadedBytes.Compare(boot, options);
        TestContext.Out.WriteLine($"{label}: relocated fields agreeing with the kernel's memory: {r.Agree} of {r.Fields} ({r.Modules} modules); " +
                                  $"({r.WholeSections} of them whole sections: __dyndbg, __jump_table, stubs/PLTs, s390's GOT/PLT at core+0); {r.RuntimePatched} at run-time patch sites, {r.WritableDiffer} in writable data changed since; {r.PerCpu} against per-cpu symbols not compared");
        TestContext.Out.WriteLine("types: " + string.Join(", ", r.Types.Select(t => $"{t.Key}: {t.Value}")));
        foreach (var w in r.WritableMismatches.Take(20))
        {
            TestContext.Out.WriteLine("writable: " + w);
        }

        foreach (var g in r.Mismatches.GroupBy(m => string.Join(' ', m.Split(' ').Skip(1).Take(3)).Split('+')[0] + " " + m.Split(" type ").ElementAtOrDefault(1)?.Split(' ')[0]).Take(20))
        {
            TestContext.Out.WriteLine($"differs: {g.Count()} like {g.First()}");
        }

        r.Modules.Should().BeGreaterThanOrEqualTo(20);
        r.Mismatches.Should().BeEmpty();
        return r;
    }
}
