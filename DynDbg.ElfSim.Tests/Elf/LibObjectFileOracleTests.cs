using System.Diagnostics;
using DynDbg.ElfSim.Elf;
using DynDbg.ElfSim.Linking;
using DynDbg.ElfSim.Tests.Real;

namespace DynDbg.ElfSim.Tests.Elf;

/// <summary>
/// Issue 14: our reader and writer against LibObjectFile 2.3.1 (<see cref="LibObjectFileOracle"/>), the oracle that
/// decodes relocations: section headers, symbols and every relocation entry of every bundled sample of each
/// architecture; the same on our <c>ld -r -T module.lds</c> output of every sample module, which LibObjectFile must
/// read without an error and write back byte for byte but for its two named writer limitations; and on a sample of every architecture's real modules.
/// MIPS64's r_info layout, which LibObjectFile splits as a plain ELF64 word, is the one known difference.
/// </summary>
[TestFixture]
public class LibObjectFileOracleTests
{
    private static readonly Lazy<LinkerScript> ModuleLds = new(() => ScriptParser.ParseFile(Path.Combine(TestPaths.Root, "linker", "module.lds")));

    private sealed class Tally
    {
        public int Files, Sections, Symbols, Tables, Relocations, Mips, Warnings;
        public readonly List<string> Differences = [];
        public readonly SortedSet<string> WarningKinds = new(StringComparer.Ordinal);

        public void Add(string name, LibObjectFileOracle.Result r)
        {
            Files++;
            Sections += r.Sections;
            Symbols += r.Symbols;
            Tables += r.RelocationTables;
            Relocations += r.Relocations;
            Mips += r.MipsRInfoRelocations;
            Warnings += r.Warnings.Count;
            WarningKinds.UnionWith(r.Warnings.Select(w => w.Split(' ')[2]));
            Differences.AddRange(r.Differences.Take(5).Select(d => $"{name}: {d}"));
        }

        public override string ToString() =>
            $"{Files} files, {Sections} sections, {Symbols} symbols, {Tables} relocation tables, {Relocations} relocations ({Warnings} LibObjectFile warnings)";
    }

    private static void CheckMips(string arch, Tally t)
    {
        // The known difference, named: LibObjectFile reads MIPS64's r_info as one ELF64 word (r_sym = bits 63..32).
        if (arch == "mips64el")
        {
            t.Mips.Should().Be(t.Relocations, "LibObjectFile splits every MIPS64 r_info as a plain ELF64 word (its type is our r_sym)");
        }
        else
        {
            t.Mips.Should().Be(0);
        }
    }

    [Test]
    public void EverySample_SectionsSymbolsAndRelocations_AgreeWithLibObjectFile([ValueSource(typeof(TestPaths), nameof(TestPaths.Arches))] string arch)
    {
        var tally = new Tally();
        foreach (var p in TestPaths.SampleObjects().Where(p => Path.GetRelativePath(TestPaths.Samples, p).StartsWith(arch + "/", StringComparison.Ordinal)))
        {
            tally.Add(Path.GetRelativePath(TestPaths.Samples, p), LibObjectFileOracle.Compare(p));
        }

        TestContext.Out.WriteLine($"{arch} samples: {tally} compared with LibObjectFile");
        tally.Differences.Should().BeEmpty();
        // ld.lld -r (the non-x86 .ko samples) names an output relocation section after its first input section,
        // .rela.gnu.linkonce.dyndbg for __dyndbg; LibObjectFile warns that it expects .rela<target>. Nothing else.
        tally.WarningKinds.Should().BeSubsetOf(["ELF_WRN_InvalidRelocationTablePrefixTargetName"]);
        tally.Files.Should().BePositive();
        tally.Relocations.Should().BePositive();
        CheckMips(arch, tally);
    }

    /// <summary>
    /// The oracle has teeth: LibObjectFile reads a copy in which one field of one relocation entry was changed (the
    /// addend of a RELA entry; the type byte of a REL entry's r_info), and exactly that entry is reported.
    /// </summary>
    [TestCase("x86_64", 16, TestName = "ChangedRelaAddend_IsTheOneDifference")]
    [TestCase("i386", 4, TestName = "ChangedRelType_IsTheOneDifference")]
    public void OneChangedRelocationField_IsTheOneDifference(string arch, int field)
    {
        var path = TestPaths.Sample(arch, "alpha_main.o");
        using var ours = ElfFile.Open(path);
        var table = ours.Sections.First(s => s.IsRelocation && s.Size > 0);
        var bytes = File.ReadAllBytes(path);
        var at = (int)table.Offset + (2 * (int)table.EntSize) + field; // entry [2]
        bytes[at] ^= 0x01;

        var r = LibObjectFileOracle.Compare(ours, bytes);

        r.Differences.Should().ContainSingle().Which.Should().StartWith($"{table.Name} [2]: ours (offset, sym, type, addend)");
    }

    /// <summary>The sample modules of one architecture folder: objects grouped by the module they build (alpha_main.o and alpha_util.o make alpha).</summary>
    private static IEnumerable<(string Module, string[] Inputs)> SampleModules(string arch) =>
        TestPaths.SampleObjects()
            .Where(p => Path.GetRelativePath(TestPaths.Samples, p).StartsWith(arch + "/", StringComparison.Ordinal)
                && p.EndsWith(".o", StringComparison.Ordinal) && Path.GetFileName(p) != "vmlinux.o")
            .GroupBy(p => Path.Combine(Path.GetDirectoryName(p)!, Path.GetFileNameWithoutExtension(p).Split('_')[0]))
            .Select(g => (Path.GetRelativePath(TestPaths.Samples, g.Key), g.ToArray()));

    [Test]
    public void OurLinkOutput_OfEverySampleModule_ReadsAndRoundTripsInLibObjectFile([ValueSource(typeof(TestPaths), nameof(TestPaths.Arches))] string arch)
    {
        var tally = new Tally();
        int maskedStOther = 0, mipsRefused = 0;
        foreach (var (module, inputs) in SampleModules(arch))
        {
            var files = inputs.Select(i => (Path.GetFileName(i), ElfFile.Open(i))).ToList();
            try
            {
                var bytes = Linker.Link(ModuleLds.Value, files).ToElf().ToArray();
                using var ours = ElfFile.FromBytes(module + ".o", bytes);
                var r = LibObjectFileOracle.Compare(ours, bytes);
                tally.Add($"{module} (ld -r -T module.lds)", r);

                var w = LibObjectFileOracle.WriteBack(ours, bytes);
                tally.Differences.AddRange(w.Differences.Select(d => $"{module}: {d}"));
                maskedStOther += w.MaskedStOther;
                mipsRefused += w.MipsRefused ? 1 : 0;
            }
            finally
            {
                files.ForEach(f => f.Item2.Dispose());
            }
        }

        TestContext.Out.WriteLine($"{arch} link outputs: {tally} compared with LibObjectFile; written back by it: " +
            $"{tally.Files - mipsRefused} files ({maskedStOther} st_other bytes masked), {mipsRefused} refused");
        tally.Differences.Should().BeEmpty();
        tally.Warnings.Should().Be(0, "our writer names every relocation section .rel(a)<target>, as ld.bfd does");
        tally.Files.Should().BeGreaterThanOrEqualTo(4);
        tally.Relocations.Should().BePositive();
        CheckMips(arch, tally);

        // The known differences of LibObjectFile's writer, named (LibObjectFileOracle.WriteBack).
        mipsRefused.Should().Be(arch == "mips64el" ? tally.Files : 0, "LibObjectFile refuses to write back the MIPS64 relocations it misread (LB0145)");
        if (arch == "ppc64le")
        {
            maskedStOther.Should().BePositive("LibObjectFile writes st_other & 3, dropping ELFv2's local-entry bits of every global function");
        }
        else
        {
            maskedStOther.Should().Be(0);
        }
    }

    [Test]
    [Category("Real")]
    public void RealModules_OfEveryArchitecture_AgreeWithLibObjectFile([ValueSource(typeof(RealInputs), nameof(RealInputs.AllArches))] string arch)
    {
        // Every 16th module (a few seconds in all): LibObjectFile reads whole files into its model (4.6 s and 775 MB
        // on the amd64 vmlinux), so the vmlinux stays with ELFSharp.
        var files = RealInputs.Arch(arch).ModuleFiles().Where((_, i) => i % 16 == 0).ToList();
        var tally = new Tally();
        var clock = Stopwatch.StartNew();
        foreach (var p in files)
        {
            tally.Add(Path.GetFileName(p), LibObjectFileOracle.Compare(p));
        }

        TestContext.Out.WriteLine($"{arch}: {tally} compared with LibObjectFile in {clock.Elapsed.TotalSeconds:F1} s");
        tally.Differences.Should().BeEmpty();
        tally.Relocations.Should().BePositive();
        CheckMips(arch == "mips64el" ? arch : "", tally);
    }
}
