using DynDbg.ElfSim.Checks;
using DynDbg.ElfSim.DynDbg;
using FluentAssertions;

namespace DynDbg.ElfSim.Tests.Checks;

/// <summary>
/// Issue 4: every named fault of <see cref="SynthFault"/>, built by <see cref="DietSynth"/> into a linked module
/// of each diet variant it applies to, makes <c>check</c> (static and post-load checks) report exactly its own
/// error IDs, with the same hazards as its unbroken twin (same seed, same units, no fault) plus the fault's own;
/// the twin reports no error.
/// </summary>
[TestFixture]
public class SynthFaultTests
{
    private static string Dir(string name)
    {
        var dir = Path.Combine(TestContext.CurrentContext.WorkDirectory, "synth-fault", name);
        Directory.CreateDirectory(dir);
        return dir;
    }

    private static IEnumerable<TestCaseData> Cases()
    {
        foreach (var f in SynthFault.All)
        {
            foreach (var v in f.Variants)
            {
                yield return new TestCaseData("x86_64", f.Name, v).SetName($"Fault_x86_64_{f.Name}_{DietLayout.VariantName(v)}");
            }
        }

        // The three the issue names, on a REL arch and a big-endian one as well.
        foreach (var arch in new[] { "i386", "s390x" })
        {
            foreach (var name in new[] { "header-missing", "header-behind", "orphan-site" })
            {
                foreach (var v in new[] { DietVariant.V5, DietVariant.V6 })
                {
                    yield return new TestCaseData(arch, name, v).SetName($"Fault_{arch}_{name}_{DietLayout.VariantName(v)}");
                }
            }
        }
    }

    private static (string[] Errors, string[] Hazards, string[] Static) Check(string path, DietVariant v)
    {
        var r = FileCheck.Run(path, v);
        r.Unreadable.Should().BeNull(r.Unreadable?.OneLine);
        using var file = ElfSim.Elf.ElfFile.Open(path);
        var img = DietImage.Load(file, v)!;
        return (Ids(r.Findings, CheckSeverity.Error), Ids(r.Findings, CheckSeverity.Hazard), Ids(DietChecks.Run(img), CheckSeverity.Error));
    }

    private static string[] Ids(IEnumerable<CheckFinding> findings, CheckSeverity severity) =>
        findings.Where(x => x.Severity == severity).Select(x => x.Id).Distinct().Order(StringComparer.Ordinal).ToArray();

    [TestCaseSource(nameof(Cases))]
    public void Fault_RaisesExactlyItsIds_TwinRaisesNone(string arch, string name, DietVariant variant)
    {
        var fault = SynthFault.ByName(name)!;
        var target = ObjectTarget.ForArch(arch)!;
        var layout = DietLayout.Create(variant, target.PointerSize, target.BigEndian, true);
        var gen = new SynthGenerator(17);
        var mod = gen.Modules(1, Math.Max(fault.MinCallsites, 60))[0];
        // The twin of an oversized image is the largest that fits: 2^14 elements with the header.
        var twinMod = fault.MinCallsites > 1 << 14 ? gen.Modules(1, (1 << 14) - 1)[0] : mod;
        var dir = Dir($"{arch}-{name}-{DietLayout.VariantName(variant)}");
        var twin = Path.Combine(dir, "twin.ko");
        var broken = Path.Combine(dir, mod.Name + ".ko");
        DietSynth.Write(twin, twinMod.Units(), target, layout, twinMod.Name);
        DietSynth.Write(broken, mod.Units(), target, layout, mod.Name, fault.Options, fault.Script, fault.ExtraHeaderUnit);

        var (twinErrors, twinHazards, twinStatic) = Check(twin, variant);
        var (errors, hazards, staticErrors) = Check(broken, variant);
        TestContext.Out.WriteLine($"{arch} {name} {DietLayout.VariantName(variant)}: errors {string.Join(",", errors)} (static {string.Join(",", staticErrors)}); " +
                                  $"hazards {string.Join(",", hazards)}; twin errors {string.Join(",", twinErrors)}, hazards {string.Join(",", twinHazards)}");

        // The twin breaks nothing. What the layout itself costs after loading is a hazard, not an error: where the
        // record view's _index unit overlaps header.format (§7.1, DDH01), add_module's tab[0]._index = base spoils the
        // header, and the post-load check §8.13 (DDG013) reports it as the profile's known hazard.
        twinStatic.Should().BeEmpty();
        twinErrors.Should().BeEmpty();
        if (twinHazards.Contains(CheckIds.IndexOverlapsFormat))
        {
            twinHazards.Should().Contain(CheckIds.HeaderUpN);
        }

        // The layout's own post-load findings may turn into errors in the broken image (the fault adds a reason to
        // the same invariant), so they are left out of the exact comparison; everything else must match exactly.
        var own = twinHazards.Where(h => h.StartsWith("DDG", StringComparison.Ordinal)).ToArray();
        staticErrors.Should().Equal(fault.Static(variant).Order(StringComparer.Ordinal), "the static checks see exactly the fault's own invariant");
        errors.Except(own).Should().Equal(fault.Static(variant).Union(fault.PostLoad(variant)).Except(own).Order(StringComparer.Ordinal));
        hazards.Except(own).Should().Equal(twinHazards.Union(fault.Hazards(variant)).Except(own).Order(StringComparer.Ordinal));
        if (own.Length > 0)
        {
            errors.Union(hazards).Should().Contain(own, "the layout's own post-load findings do not vanish in the broken image");
        }
    }

    /// <summary>Issue 4's three, through the CLI: a module without its header, with the header behind the
    /// records, or with a site that has no descriptor fails <c>check</c> with exit 1 and names the ID.</summary>
    [TestCase("header-missing", "DDG003")]
    [TestCase("header-behind", "DDG003")]
    [TestCase("orphan-site", "DDG005")]
    public void Cli_FaultyTreeFailsCheckWithExit1(string fault, string id)
    {
        var dir = Dir($"cli-{fault}");
        var (code, stdout, stderr) = Cli.CliRunner.Run("synth", "-o", dir, "--modules", "3", "--callsites", "90", "--diet", "v5", "--fault", fault, "--seed", "5");
        code.Should().Be(0, stderr);
        stdout.Should().Contain($"fault {fault}");
        var tree = Path.Combine(dir, "lib", "modules", "synth");
        var check = Cli.CliRunner.Run("check", "--diet", "v5", tree);
        check.Code.Should().Be(1, check.Out + check.Err);
        check.Out.Should().Contain($"error {id} ");

        var twinDir = Dir($"cli-{fault}-twin");
        Cli.CliRunner.Run("synth", "-o", twinDir, "--modules", "3", "--callsites", "90", "--diet", "v5", "--seed", "5").Code.Should().Be(0);
        var twin = Cli.CliRunner.Run("check", "--diet", "v5", Path.Combine(twinDir, "lib", "modules", "synth"));
        twin.Code.Should().Be(0, twin.Out + twin.Err);
    }
}
