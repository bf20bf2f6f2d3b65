using DynDbg.ElfSim.Diagnostics;
using DynDbg.ElfSim.Elf;
using DynDbg.ElfSim.Linking;

namespace DynDbg.ElfSim.Tests.Linking;

/// <summary>
/// The engine against GNU ld.bfd (the anchor): the same inputs and script through both, compared by
/// <see cref="LinkComparison"/>. Cases: the sample objects under every bundled script, hand-written scripts for
/// each construct, and seeded random objects and scripts. Skipped, with a message, only where ld.bfd is missing.
/// </summary>
[TestFixture]
public class DifferentialTests
{
    private static readonly string[] BundledScriptNames = ["module.lds", "module-6.1.lds", "module-v6.lds", "vmlinux-dyndbg.lds"];

    [SetUp]
    public void RequireLd()
    {
        Tools.Require("ld.bfd", "as", "readelf");
    }

    private static string CaseDir(string name)
    {
        var dir = Path.Combine(TestContext.CurrentContext.WorkDirectory, "differential", name);
        if (Directory.Exists(dir))
        {
            Directory.Delete(dir, true);
        }

        Directory.CreateDirectory(dir);
        return dir;
    }

    private static void Report(string what, LinkComparison.Outcome o)
    {
        TestContext.Out.WriteLine($"{what}: ld {(o.LdOk ? "ok" : "failed")}, engine {(o.OursOk ? "ok" : "failed")}; " +
                                  $"{o.Sections} sections, {o.Symbols} symbols, {o.Relocations} relocations, {o.InputSections} input sections; " +
                                  $"readelf {(o.ElfTextIdentical ? "identical" : "differs")}, map {(o.MapTextIdentical ? "identical" : "differs")}");
        foreach (var d in o.Differences)
        {
            TestContext.Out.WriteLine("  " + d);
        }
    }

    private static IEnumerable<TestCaseData> SampleCases()
    {
        var sets = new (string Arch, ElfMachine Machine, string[] Objects)[]
        {
            ("x86_64", ElfMachine.X86_64, ["alpha_main.o", "alpha_util.o"]),
            ("x86_64", ElfMachine.X86_64, ["beta_core.o", "beta_proto.o", "delta.o", "gamma.o"]),
            ("x86_64", ElfMachine.X86_64, ["alpha.ko", "beta.ko"]),
            ("i386", ElfMachine.I386, ["alpha_main.o", "alpha_util.o", "beta_core.o"]),
            ("i386", ElfMachine.I386, ["delta.o", "gamma.o"]),
            ("s390x", ElfMachine.S390, ["alpha_main.o", "alpha_util.o", "beta_core.o"]),
            ("s390x", ElfMachine.S390, ["beta_proto.o", "delta.o", "gamma.o"]),
            ("aarch64", ElfMachine.AArch64, ["alpha_main.o", "alpha_util.o", "beta_core.o"]),
            ("aarch64", ElfMachine.AArch64, ["alpha.ko", "beta.ko", "delta.ko"]),
            ("armhf", ElfMachine.Arm, ["alpha_main.o", "alpha_util.o", "beta_core.o"]),
            ("armhf", ElfMachine.Arm, ["beta_proto.o", "delta.o", "gamma.o"]),
            ("armhf", ElfMachine.Arm, ["alpha.ko", "gamma.ko"]),
            ("ppc64le", ElfMachine.Ppc64, ["alpha_main.o", "alpha_util.o", "beta_core.o"]),
            ("ppc64le", ElfMachine.Ppc64, ["beta_proto.o", "delta.o", "gamma.o"]),
            ("mips64el", ElfMachine.Mips, ["alpha_main.o", "alpha_util.o", "beta_core.o"]),
            ("mips64el", ElfMachine.Mips, ["beta_proto.o", "delta.o", "gamma.o"]),
            ("riscv64", ElfMachine.RiscV, ["alpha_main.o", "alpha_util.o", "beta_core.o"]),
            ("riscv64", ElfMachine.RiscV, ["beta_proto.o", "delta.o", "gamma.o"]),
            ("riscv64", ElfMachine.RiscV, ["alpha.ko", "beta.ko"]),
        };
        foreach (var (arch, machine, objects) in sets)
        {
            foreach (var script in BundledScriptNames)
            {
                yield return new TestCaseData(arch, machine, objects, script).SetName($"Samples_{arch}_{string.Join("+", objects)}_{script}");
            }
        }
    }

    [TestCaseSource(nameof(SampleCases))]
    public void SampleObjects_AgreeWithLd(string arch, ElfMachine machine, string[] objects, string script)
    {
        LinkComparison.RequireLd(machine);

        var dir = CaseDir($"samples-{arch}-{string.Join("+", objects)}-{script}");
        foreach (var o in objects)
        {
            File.Copy(TestPaths.Sample(arch, o), Path.Combine(dir, o));
        }

        File.Copy(Path.Combine(TestPaths.Root, "linker", script), Path.Combine(dir, script));
        var outcome = LinkComparison.Run(dir, script, objects, machine);
        Report($"{arch} {string.Join(' ', objects)} -T {script}", outcome);
        outcome.LdOk.Should().BeTrue(outcome.LdError);
        outcome.Differences.Should().BeEmpty();
        outcome.ElfTextIdentical.Should().BeTrue();
        outcome.MapTextIdentical.Should().BeTrue();
    }

    /// <summary>Seeded random objects and scripts; every case must agree (both fail, or both succeed identically).
    /// DYNDBG_ELFSIM_RANDOM_CASES=N runs N cases per architecture instead.</summary>
    [TestCase(ElfMachine.X86_64, 1, 120)]
    [TestCase(ElfMachine.I386, 1001, 80)]
    [TestCase(ElfMachine.AArch64, 2001, 40)]
    [TestCase(ElfMachine.Arm, 3001, 40)]
    [TestCase(ElfMachine.Ppc64, 4001, 40)]
    [TestCase(ElfMachine.S390, 5001, 40)]
    [TestCase(ElfMachine.Mips, 6001, 40)]
    [TestCase(ElfMachine.RiscV, 7001, 40)]
    public void RandomInputsAndScripts_AgreeWithLd(ElfMachine machine, int firstSeed, int cases)
    {
        LinkComparison.RequireLd(machine);
        Tools.Require(SyntheticInputs.Assembler(machine).As);
        if (int.TryParse(Environment.GetEnvironmentVariable("DYNDBG_ELFSIM_RANDOM_CASES"), out var n) && n > 0)
        {
            cases = n;
        }

        var agree = 0;
        var bothFailed = 0;
        var refusedByName = new List<string>();
        var exactMaps = 0;
        var failures = new List<string>();
        var rejections = new Dictionary<string, int>();
        var withGroups = 0;
        var partialGroups = 0;
        var partialLinked = 0;
        for (var seed = firstSeed; seed < firstSeed + cases; seed++)
        {
            var (outcome, dir) = RandomCase(machine, seed);
            var partial = File.ReadLines(Path.Combine(dir, "script.lds"))
                .Any(l => l.StartsWith("  /DISCARD/", StringComparison.Ordinal) && (l.Contains(".grp", StringComparison.Ordinal) || l.Contains(".group", StringComparison.Ordinal)));
            partialGroups += partial ? 1 : 0;
            if (outcome.LdOk && !outcome.OursOk && outcome.OurError.Contains($"error {LinkErrorIds.LinkUnsupportedInput}:", StringComparison.Ordinal))
            {
                // The issue's rule for what is out of reach: refused in one line that names it, never linked differently.
                refusedByName.Add($"seed {seed}: {outcome.OurError}");
                continue;
            }

            if (outcome.Agrees)
            {
                agree++;
                bothFailed += outcome.LdOk ? 0 : 1;
                if (!outcome.LdOk)
                {
                    var id = System.Text.RegularExpressions.Regex.Match(outcome.OurError, @"error (\w+):").Groups[1].Value;
                    rejections[id] = rejections.GetValueOrDefault(id) + 1;
                }
                else
                {
                    using var linked = ElfFile.Open(Path.Combine(dir, "ld.o"));
                    withGroups += linked.Sections.Any(s => s.Type == ElfConstants.ShtGroup) ? 1 : 0;
                    partialLinked += partial ? 1 : 0;
                }

                exactMaps += outcome.MapTextIdentical ? 1 : 0;
            }
            else
            {
                failures.Add($"seed {seed} ({dir}):\n  " + string.Join("\n  ", outcome.Differences));
            }
        }

        foreach (var r in refusedByName)
        {
            TestContext.Out.WriteLine($"  refused by name (ld links it): {r}");
        }

        foreach (var f in failures)
        {
            TestContext.Out.WriteLine($"  differs: {f}"); // the assertion's message shows only the first
        }

        TestContext.Out.WriteLine($"{machine}: {cases} random cases, {agree} agree ({bothFailed} rejected by both, " +
                                  $"{agree - bothFailed} linked identically, {exactMaps} with byte-identical maps), {refusedByName.Count} refused by name, {failures.Count} differ; " +
                                  $"{withGroups} linked with a .group in the output, {partialGroups} scripts discard part of a group ({partialLinked} linked); " +
                                  $"rejections: {string.Join(", ", rejections.OrderBy(r => r.Key).Select(r => $"{r.Key} x{r.Value}"))}");
        failures.Should().BeEmpty();
    }

    private static readonly string[] ScriptSnippets =
    [
        "SECTIONS { .a : { *(.a) } }",
        "SECTIONS { ; }",
        "SECTIONS { .a { *(.a) } }",
        "SECTIONS { .a : { *(.a) }",
        "SECTIONS { .a : { *(.a) } } }",
        "SECTIONS { ASSERT(1, m); }",
        "SECTIONS { ASSERT(1, m) .a : { *(.a) } }",
        "SECTIONS { .a : { ASSERT(1, m) *(.a) } }",
        "SECTIONS { .a : { ASSERT(1, m); *(.a) } }",
        "x = ;",
        "x = 1",
        "x = 1;",
        "x = (1 + 2;",
        "x = 1 + ;",
        "x += 2 * 3;",
        "SECTIONS { .a : { x = 1, y = 2; *(.a) } }",
        "SECTIONS { .a : { PROVIDE(q = 1), *(.a) } }",
        "SECTIONS { .a : { PROVIDE(q = 1); *(.a) } }",
        "SECTIONS { .a (0x10) : { *(.a) } }",
        "SECTIONS { .a (NOLOAD) : { *(.a) } }",
        "SECTIONS { .a 0 : ALIGN(8) { *(.a) } , .b : { *(.b) } }",
        "SECTIONS { .a : { *(SORT(SORT(.a*))) } }",
        "SECTIONS { .a : { *(SORT_NONE(SORT(.a*))) } }",
        "SECTIONS { .a : { KEEP(*(.a) } }",
        "SECTIONS { .a : { *( ) } }",
        "SECTIONS { .a : { EXCLUDE_FILE() *(.a) } }",
        "SECTIONS { .a : { EXCLUDE_FILE(x.o) *(.a) } }",
        "SECTIONS { .a : { *(EXCLUDE_FILE(x.o) .a .b) } }",
        "SECTIONS { .a : { BYTE(1) SHORT(2) LONG(3) QUAD(4) SQUAD(5) } }",
        "SECTIONS { .a : { LONG 3 } }",
        "SECTIONS { .a : { . = ALIGN(8); } }",
        "SECTIONS { .a : { . = ALIGN(8) } }",
        "SECTIONS { /DISCARD/ : { *(.a) } }",
        "SECTIONS { .a : { *(.a) } } SECTIONS { .b : { *(.b) } }",
        "/* unterminated",
        "SECTIONS { .a : { *(.a) } } # trailing comment",
        "ENTRY(start) SECTIONS { .a : { *(.a) } }",
        "x = DEFINED(y) ? 1 : 2;",
        "x = ADDR(.text) + SIZEOF(.text);",
        "x = ALIGN(8, 4);",
        "x = MAX(1, 2) + MIN(3);",
    ];

    /// <summary>For each snippet, ld's parser and the engine's agree: both accept, or both report a syntax error
    /// (ld's "syntax error" is LNK001). Snippets the engine rejects by name (LNK002) are ones ld accepts.</summary>
    [Test]
    public void ScriptSyntaxVerdicts_AgreeWithLd()
    {
        var dir = CaseDir("syntax");
        var obj = TestPaths.Sample("x86_64", "gamma.o");
        File.Copy(obj, Path.Combine(dir, "g.o"));
        var disagreements = new List<string>();
        var accepted = 0;
        var rejected = 0;
        for (var i = 0; i < ScriptSnippets.Length; i++)
        {
            var name = $"s{i}.lds";
            File.WriteAllText(Path.Combine(dir, name), ScriptSnippets[i]);
            var (code, _, err) = Tools.RunIn(dir, "ld.bfd", "-r", "-T", name, "-o", $"s{i}.o", "g.o");
            var ldSyntax = err.Contains("syntax error", StringComparison.Ordinal) || err.Contains("EOF in comment", StringComparison.Ordinal);
            string? ours = null;
            try
            {
                ScriptParser.ParseFile(Path.Combine(dir, name));
            }
            catch (DiagnosticException e)
            {
                ours = e.Id;
            }

            var oursSyntax = ours == LinkErrorIds.ScriptSyntax;
            if (ldSyntax != oursSyntax && !(ours == LinkErrorIds.ScriptUnsupported && code == 0))
            {
                disagreements.Add($"{ScriptSnippets[i]}: ld {(ldSyntax ? "syntax error" : "parses")} ({err.Trim()}), engine {ours ?? "parses"}");
            }

            if (ldSyntax)
            {
                rejected++;
            }
            else
            {
                accepted++;
            }
        }

        TestContext.Out.WriteLine($"{ScriptSnippets.Length} snippets: ld parses {accepted}, rejects {rejected}; {disagreements.Count} disagreements");
        disagreements.Should().BeEmpty();
    }

    internal static (LinkComparison.Outcome Outcome, string Dir) RandomCase(ElfMachine machine, int seed)
    {
        var dir = CaseDir($"random-{machine}-{seed}");
        var rnd = new Random(seed);
        var inputs = SyntheticInputs.Write(dir, seed, machine, rnd.Next(1, 6));
        var names = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var i in inputs)
        {
            using var f = ElfFile.Open(Path.Combine(dir, i));
            foreach (var s in f.Sections.Where(s => s.Index > 0 && !s.IsRelocation && s.Type is not (ElfConstants.ShtSymtab or ElfConstants.ShtStrtab)))
            {
                names.Add(s.Name);
            }
        }

        File.WriteAllText(Path.Combine(dir, "script.lds"), SyntheticScripts.Write(seed, names.ToList(), inputs));
        return (LinkComparison.Run(dir, "script.lds", inputs, machine), dir);
    }
}
