using System.Diagnostics;
using DynDbg.ElfSim.Checks;
using DynDbg.ElfSim.DynDbg;
using DynDbg.ElfSim.Elf;
using DynDbg.ElfSim.Loading;
using DynDbg.ElfSim.Tests.Linking;
using DynDbg.ElfSim.Tests.Real;

namespace DynDbg.ElfSim.Tests.DynDbg;

/// <summary>
/// The diet transform on Debian's real kernels: every module with <c>__dyndbg</c> of every fetched architecture,
/// in each diet variant, transformed, linked by the engine under the variant's module script, checked (no error;
/// exactly the layout's hazards), compared element by element with the input, and loaded by the 6.1 loader
/// emulation, whose relocated image must pass the same checks. Each architecture's own GNU ld links every 25th
/// module's objects into the same file, byte for byte, as the engine does. The amd64 -dbg vmlinux is transformed and linked with the
/// vmlinux-diet scripts. Counts and times go to the test output (docs/diet.md records them).
/// </summary>
[TestFixture]
[Category("Real")]
[NonParallelizable]
public class RealDietTransformTests
{
    private static IEnumerable<TestCaseData> Cases() =>
        from arch in RealInputs.AllArches
        from v in new[] { DietVariant.V5, DietVariant.V5NoSite, DietVariant.V6 }
        select new TestCaseData(arch, v).SetName($"RealDiet_{arch}_{DietLayout.VariantName(v)}");

    [TestCaseSource(nameof(Cases))]
    public void EveryModule_TransformsLinksChecksAndLoads(string archName, DietVariant variant)
    {
        var arch = RealInputs.Arch(archName);
        var is64 = arch.Facts.Is64;
        ulong core = is64 ? 0xffffffffc0200000 : 0xf8200000, init = is64 ? 0xffffffffc1000000 : 0xf9000000;
        var root = DietTransformTests.Dir("real", archName, DietLayout.VariantName(variant));
        var files = arch.ModuleFiles().Where(p =>
        {
            using var f = ElfFile.Open(p);
            return f.FindSection("__dyndbg") is not null;
        }).ToArray();
        LinkComparison.RequireLd(arch.Facts.Machine); // every architecture's own ld.bfd (a failure under CI when missing)
        var failures = new FailureList();
        long callsites = 0, objects = 0, bytes = 0, classed = 0, compared = 0;
        var sw = Stopwatch.StartNew();
        Parallel.ForEach(files.Select((p, i) => (p, i)), new ParallelOptions { MaxDegreeOfParallelism = 2 }, x => failures.Run(arch.Relative(x.p), () =>
        {
            var dir = Path.Combine(root, x.i.ToString("D4", System.Globalization.CultureInfo.InvariantCulture));
            var (r, linked) = DietTransformTests.TransformAndLink(x.p, variant, dir);
            DietTransformTests.VerifyLinked(x.p, linked, variant);
            using (var lf = ElfFile.Open(linked))
            {
                var layout = ModuleLoader.Layout(lf);
                layout.ModuleName.Should().Be(r.Name, "the .mod.o part carries the input's .modinfo and this_module");
                var loaded = LoadedModule.Load(lf, layout, core, init);
                var img = DietImage.Load(lf, variant, DietMemory.Over(loaded))!;
                var errors = DietChecks.Run(img).Where(f => f.Severity == CheckSeverity.Error).Select(f => f.OneLine(linked)).ToList();
                errors.Should().BeEmpty("the loaded (relocated) image keeps the invariants too");
            }

            if (x.i % 25 == 0)
            {
                File.Copy(Path.Combine(TestPaths.Root, "linker", r.Script), Path.Combine(dir, r.Script), true);
                var outcome = LinkComparison.Run(dir, r.Script, r.Objects.Select(o => o.Name).ToList(), arch.Facts.Machine);
                outcome.LdOk.Should().BeTrue(outcome.LdError);
                outcome.Differences.Should().BeEmpty();
                Interlocked.Increment(ref compared);
            }

            Interlocked.Add(ref callsites, r.Callsites);
            Interlocked.Add(ref objects, r.Objects.Count);
            Interlocked.Add(ref bytes, r.Objects.Sum(o => o.Bytes));
            Interlocked.Add(ref classed, r.ClassedCallsites);
            Directory.Delete(dir, recursive: true);
        }));
        sw.Stop();
        TestContext.Progress.WriteLine(
            $"Real diet [{archName} {DietLayout.VariantName(variant)}] {arch.Abi}: {files.Length} modules, {callsites} call sites " +
            $"({classed} classed), {objects} objects, {bytes} bytes; linked, checked and loaded; {compared} byte-compared with GNU ld; " +
            $"{failures.Count} failures; {sw.ElapsedMilliseconds} ms");
        failures.AssertNone($"{archName} {DietLayout.VariantName(variant)}: modules whose diet transform does not link, check or load");
        files.Should().NotBeEmpty();
    }

    [TestCase(DietVariant.V5)]
    [TestCase(DietVariant.V5NoSite)]
    [TestCase(DietVariant.V6)]
    public void Vmlinux_TransformsAndLinksWithTheVmlinuxDietScript(DietVariant variant)
    {
        var vmlinux = RealInputs.Vmlinux();
        var dir = DietTransformTests.Dir("real-vmlinux", DietLayout.VariantName(variant));
        var sw = Stopwatch.StartNew();
        var (r, linked) = DietTransformTests.TransformAndLink(vmlinux, variant, dir);
        sw.Stop();
        r.IsModule.Should().BeFalse();
        r.Script.Should().Be(variant == DietVariant.V6 ? "vmlinux-diet-v6.lds" : "vmlinux-diet-v5.lds");
        var check = Stopwatch.StartNew();
        DietTransformTests.VerifyLinked(vmlinux, linked, variant);
        check.Stop();
        TestContext.Progress.WriteLine(
            $"Real diet vmlinux [{DietLayout.VariantName(variant)}]: {r.Callsites} call sites ({r.ClassedCallsites} classed), {r.Objects.Count} objects, " +
            $"{r.Objects.Sum(o => o.Bytes)} bytes, linked {new FileInfo(linked).Length} bytes in {sw.ElapsedMilliseconds} ms (transform + link), checked in {check.ElapsedMilliseconds} ms");
        Directory.Delete(dir, recursive: true);
    }
}
