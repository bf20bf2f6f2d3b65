using System.Globalization;
using System.Text;
using DynDbg.ElfSim.Arch;
using DynDbg.ElfSim.Elf;
using DynDbg.ElfSim.Loading;
using DynDbg.ElfSim.Tests.Elf;
using DynDbg.ElfSim.Tests.Real;

namespace DynDbg.ElfSim.Tests.Arch;

/// <summary>
/// ppc64's <c>module_frob_arch_sections</c> on Debian's real ppc64el modules, against an independent count from
/// GNU readelf's text: per RELA table, the distinct (symbol, addend) pairs of R_PPC64_REL24 (a negative addend
/// counts every time, as count_relocs' unsigned compare makes it), plus the zero entry and the two ftrace stubs,
/// 40 bytes each, is <c>.stubs</c>' size; every .init* section stays in the core. The booted kernel's own verdict
/// is Ppc64elModuleSectionTests (RealKernel).
/// </summary>
[TestFixture]
[Category("Real")]
public class RealPpc64StubsTests
{
    [Test]
    public void StubsSize_IsWhatReadelfsRel24RelocationsCallFor_AndInitStaysInCore()
    {
        var arch = RealInputs.Arch("ppc64el");
        var kos = arch.ModuleFiles().Where((_, i) => i % 8 == 0).ToArray();
        var failures = new List<string>();
        var withInit = 0;
        foreach (var ko in kos)
        {
            ulong stubs = 3;
            HashSet<string>? table = null;
            foreach (var line in ReadelfOracle.Run(ko, "-rW").Split('\n'))
            {
                if (line.StartsWith("Relocation section", StringComparison.Ordinal))
                {
                    table = [];
                    continue;
                }

                var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (table is null || f.Length < 3 || f[2] != "R_PPC64_REL24" || !ulong.TryParse(f[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var info))
                {
                    continue;
                }

                var addend = f[^2] + f[^1]; // "+ 0", "- 4"
                if (f[^2] == "-" || table.Add($"{info >> 32}{addend}"))
                {
                    stubs++;
                }
            }

            using var file = ElfFile.Open(ko);
            var layout = ModuleLoader.Layout(file, KernelConfig.Debian61);
            layout.Notes.Should().NotContain(n => n.Contains("module_frob_arch_sections", StringComparison.Ordinal));
            var size = layout.Sections.Single(s => s.Name == ".stubs").Size;
            if (size != stubs * Ppc64ModuleArch.StubEntrySize)
            {
                failures.Add($"{Path.GetFileName(ko)}: .stubs 0x{size:x}, readelf's REL24 call for {stubs} entries");
            }

            var init = layout.Sections.Where(s => s.Name.StartsWith(".init", StringComparison.Ordinal)).ToList();
            withInit += init.Count > 0 ? 1 : 0;
            failures.AddRange(init.Where(s => s.Region != ModuleRegion.Core).Select(s => $"{Path.GetFileName(ko)}: {s.Name} in init"));
        }

        TestContext.Out.WriteLine($"ppc64el: {kos.Length} modules, {withInit} with .init sections");
        withInit.Should().BeGreaterThan(kos.Length / 2);
        failures.Should().BeEmpty();
    }

    [Test]
    public void ModuleWithoutStubs_IsRefusedLikeTheKernel()
    {
        var ko = RealInputs.Arch("ppc64el").ModuleFiles().First(p => Path.GetFileName(p) == "dummy.ko");
        var data = File.ReadAllBytes(ko);
        var at = data.AsSpan().IndexOf(Encoding.ASCII.GetBytes(".stubs\0"));
        at.Should().BePositive();
        data[at + 5] = (byte)'x'; // ".stubx": the section is still there, under another name
        using var file = ElfFile.FromBytes("nostubs.ko", data);
        var act = () => ModuleLoader.Layout(file, KernelConfig.Debian61);
        var r = act.Should().Throw<LoaderRefusal>().Which;
        r.Id.Should().Be(Ppc64ModuleArch.StubsMissing);
        r.Errno.Should().Be("-ENOEXEC");
        r.Message.Should().Be("dummy: doesn't contain .stubs.");
    }

    /// <summary>AFL++ (issue 18, Fuzz/Findings/loader): a .stubs without SHF_ALLOC is not placed, and the relocator
    /// had nowhere to write the stubs (KeyNotFoundException); 6.1 would write through the unrelocated sh_addr.</summary>
    [Test]
    public void StubsWithoutAlloc_IsRefused()
    {
        var ko = RealInputs.Arch("ppc64el").ModuleFiles().First(p => Path.GetFileName(p) == "dummy.ko");
        var data = File.ReadAllBytes(ko);
        var (h, sections) = ElfBytesPatch.Describe(data);
        var stubs = sections.First(s => s.Name == ".stubs");
        ElfBytesPatch.Put(data, (long)stubs.HeaderOffset + 8, 0, 8, h.IsBigEndian); // sh_flags
        using var file = ElfFile.FromBytes("nostubs.ko", data);
        var act = () => ModuleLoader.Layout(file, KernelConfig.Debian61);
        var r = act.Should().Throw<LoaderRefusal>().Which;
        r.Id.Should().Be(Ppc64ModuleArch.StubsNotAllocated);
        r.Message.Should().Contain(".stubs is not SHF_ALLOC");
    }
}
