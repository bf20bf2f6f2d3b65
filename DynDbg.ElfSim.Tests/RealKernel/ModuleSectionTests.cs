using DynDbg.ElfSim.Elf;
using DynDbg.ElfSim.Tests.Cli;

namespace DynDbg.ElfSim.Tests.RealKernel;

/// <summary>
/// Issue 7, comparison 3: where the kernel really put every section of every loaded module
/// (/sys/module/&lt;name&gt;/sections/*, nokaslr): what the capture proves about reference §2, and the
/// offset-by-offset comparison with the loader emulation (<c>load --sections --format json</c>).
/// </summary>
[TestFixture]
[Category("RealKernel")]
[NonParallelizable] // real-kernel fixtures run one at a time, as before the unit tests ran in parallel
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
    public void LoaderEmulation_PlacesEverySectionAtTheKernelsRegionAndOffset_WithItsCoresize() => BootedModuleChecks.PlacementAndCoresize(QemuBoot.Amd64, "amd64");
}
