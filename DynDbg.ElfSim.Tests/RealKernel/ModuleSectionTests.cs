using DynDbg.ElfSim.Elf;
using DynDbg.ElfSim.Tests.Cli;

namespace DynDbg.ElfSim.Tests.RealKernel;

/// <summary>
/// Issue 7, comparison 3: where the kernel really put every section of every loaded module
/// (/sys/module/&lt;name&gt;/sections/*, nokaslr). What the capture already proves about reference §2 is checked
/// here; the offset-by-offset comparison with the loader emulation runs once <c>load --sections</c> exists.
/// </summary>
[TestFixture]
[Category("RealKernel")]
public class ModuleSectionTests
{
    // Reference §2: rewrite_section_headers clears SHF_ALLOC on __versions and .modinfo, layout_and_allocate on
    // .data..percpu (copied to per-cpu memory instead); layout_symtab sets it on .symtab and .strtab (kept for
    // kallsyms). sect_empty() leaves out sections of size 0.
    private static readonly string[] NotAllocatedByTheLoader = ["__versions", ".modinfo", ".data..percpu"];
    private static readonly string[] AllocatedByTheLoader = [".symtab", ".strtab"];

    [Test]
    public void Kernel_ListsExactlyTheNonEmptyAllocatedSections_AsReference2Says()
    {
        var truth = QemuHarness.Truth;
        foreach (var m in truth.Loaded)
        {
            using var ko = ElfFile.Open(QemuHarness.ModulePath(m));
            var expected = ko.Sections
                .Where(s => s.Size > 0 && (s.IsAlloc || AllocatedByTheLoader.Contains(s.Name)) && !NotAllocatedByTheLoader.Contains(s.Name))
                .Select(s => s.Name);
            truth.Sections(m.Name).Select(s => s.Name).Should().BeEquivalentTo(expected, m.Name);
        }
    }

    [Test]
    public void CoreSections_StartAtTheProcModulesBase_AndFitInCoresize()
    {
        var truth = QemuHarness.Truth;
        foreach (var m in truth.Loaded)
        {
            using var ko = ElfFile.Open(QemuHarness.ModulePath(m));
            var sections = truth.Sections(m.Name);
            var core = sections.Where(s => s.Region == "core").ToList();
            core.Should().Contain(s => s.Offset == 0, $"{m.Name}: the first section laid out is at the core base");
            foreach (var s in core)
            {
                var size = ko.FindSection(s.Name)!.Size;
                (s.Offset + size).Should().BeLessThanOrEqualTo(truth.CoreSize(m.Name), $"{m.Name} {s.Name}");
            }

            // .init* sections never land in core (CONFIG_MODULE_UNLOAD=y, so .exit* stays in core).
            sections.Should().NotContain(s => s.Name.StartsWith(".init", StringComparison.Ordinal) && s.Region == "core", m.Name);
        }
    }

    [Test]
    public void LoaderEmulation_PlacesEverySectionAtTheKernelsRegionAndOffset()
    {
        var truth = QemuHarness.Truth;
        var first = truth.Loaded.First();
        var probe = CliRunner.Run("load", "--sections", "--format", "json", QemuHarness.ModulePath(first));
        if (probe.Code == 2 && probe.Err.Contains("--sections", StringComparison.Ordinal))
        {
            Assert.Ignore($"waits for `load FILE --sections --format json` (the loader emulation): the kernel's region and offset of " +
                          $"{truth.Loaded.Sum(m => truth.Sections(m.Name).Count)} sections of {truth.Loaded.Count()} modules are captured in {truth.Directory}/sections");
        }

        var mismatches = new List<string>();
        var agree = 0;
        foreach (var m in truth.Loaded)
        {
            var ours = LoaderSections.Of(QemuHarness.ModulePath(m));
            ours.Sections.Should().NotBeEmpty($"load --sections --format json printed no objects with name, region and offset for {m.Name}");
            agree += ours.CompareWith(m.Name, truth.Sections(m.Name), mismatches);
        }

        TestContext.Out.WriteLine($"sections agreeing with the kernel: {agree} of {agree + mismatches.Count}");
        mismatches.Should().BeEmpty();
    }
}
