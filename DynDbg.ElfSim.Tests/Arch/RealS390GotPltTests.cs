using System.Globalization;
using DynDbg.ElfSim.Elf;
using DynDbg.ElfSim.Loading;
using DynDbg.ElfSim.Tests.Real;

namespace DynDbg.ElfSim.Tests.Arch;

/// <summary>
/// s390's <c>module_frob_arch_sections</c> on Debian's real (big-endian) s390x modules, against an independent
/// count from GNU readelf's text: 8 bytes per distinct symbol index named by a GOT relocation and 22 per one named
/// by a PLT relocation, over every RELA table. That much is reserved at core+0, so the first core section must sit
/// at that size aligned to its own sh_addralign. The booted kernel's own verdict is the RealKernel category's
/// (S390xModuleSectionTests).
/// </summary>
[TestFixture]
[Category("Real")]
public class RealS390GotPltTests
{
    private static readonly HashSet<string> GotTypes = new(StringComparer.Ordinal)
    {
        "R_390_GOT12", "R_390_GOT16", "R_390_GOT20", "R_390_GOT32", "R_390_GOT64", "R_390_GOTENT",
        "R_390_GOTPLT12", "R_390_GOTPLT16", "R_390_GOTPLT20", "R_390_GOTPLT32", "R_390_GOTPLT64", "R_390_GOTPLTENT",
    };

    private static readonly HashSet<string> PltTypes = new(StringComparer.Ordinal)
    {
        "R_390_PLT16DBL", "R_390_PLT32DBL", "R_390_PLT32", "R_390_PLT64", "R_390_PLTOFF16", "R_390_PLTOFF32", "R_390_PLTOFF64",
    };

    [Test]
    public void FirstCoreSection_SitsAfterTheGotAndPltThatReadelfsRelocationsCallFor()
    {
        var arch = RealInputs.Arch("s390x");
        var kos = arch.ModuleFiles().Where((_, i) => i % 8 == 0).ToArray();
        var failures = new List<string>();
        int withGot = 0, withPlt = 0;
        foreach (var ko in kos)
        {
            var got = new HashSet<ulong>();
            var plt = new HashSet<ulong>();
            foreach (var line in ReadelfOracle.Run(ko, "-rW").Split('\n'))
            {
                var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (f.Length < 3 || f[0].Length != 16 || !ulong.TryParse(f[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var info))
                {
                    continue;
                }

                (GotTypes.Contains(f[2]) ? got : PltTypes.Contains(f[2]) ? plt : null)?.Add(info >> 32);
            }

            withGot += got.Count > 0 ? 1 : 0;
            withPlt += plt.Count > 0 ? 1 : 0;
            using var file = ElfFile.Open(ko);
            var layout = ModuleLoader.Layout(file, KernelConfig.Debian61);
            layout.Notes.Should().NotContain(n => n.Contains("module_frob_arch_sections", StringComparison.Ordinal));
            var first = layout.Sections.Where(s => s.Region == ModuleRegion.Core).MinBy(s => s.Offset)!;
            var reserved = (8UL * (ulong)got.Count) + (22UL * (ulong)plt.Count);
            var expected = (reserved + first.Align - 1) / first.Align * first.Align;
            if (layout.CoreReserved != reserved)
            {
                failures.Add($"{arch.Relative(ko)}: reserved 0x{layout.CoreReserved:x}, readelf: {got.Count} GOT + {plt.Count} PLT symbols -> 0x{reserved:x}");
            }

            if (first.Offset != expected)
            {
                failures.Add($"{arch.Relative(ko)}: {first.Name} at core+0x{first.Offset:x}, readelf: {got.Count} GOT + {plt.Count} PLT symbols -> 0x{expected:x}");
            }
        }

        TestContext.Out.WriteLine($"s390x: {kos.Length} modules, {withGot} with GOT and {withPlt} with PLT relocations");
        failures.Should().BeEmpty();
        withPlt.Should().BeGreaterThan(kos.Length / 2, "nearly every s390x module calls the kernel through R_390_PLT32DBL");
    }

    [Test]
    public void LoadSections_SaysWhatItReservedBeforeTheFirstSection()
    {
        var ko = Path.Combine(RealInputs.Arch("s390x").Modules, "kernel/fs/fuse/fuse.ko");
        var (code, output, err) = Cli.CliRunner.Run("load", "--sections", ko);
        code.Should().Be(0, err);
        output.Should().Contain("Reserved:  0x26c0 bytes at core+0", "the booted kernel put fuse's .text, its first section, at core+0x26c0");
        output.Should().Contain("[ 3] .text                     core   text           000026c0");
    }
}
