using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using DynDbg.ElfSim.Diagnostics;
using DynDbg.ElfSim.Elf;
using DynDbg.ElfSim.Linking;

namespace DynDbg.ElfSim.Tests.Linking;

/// <summary>
/// Seeded mutations of every bundled linker script (linker/*.lds): tokens dropped or duplicated, braces deleted,
/// random bytes, numbers replaced by edge values. Each mutant is parsed and linked with the x86_64 samples and what
/// links is written out; it must end in a result or our own one-line error within the hang guard. Same knobs as
/// <see cref="Elf.MutationSmokeTests"/> (DYNDBG_FUZZ_ITERATIONS / DYNDBG_FUZZ_SEED, `dotnet cake --target=Fuzz`).
/// </summary>
[TestFixture]
public partial class ScriptMutationTests
{
    private static readonly int Mutants = int.TryParse(Environment.GetEnvironmentVariable("DYNDBG_FUZZ_ITERATIONS"), out var n) ? n : 1500;
    private static readonly int Seed = int.TryParse(Environment.GetEnvironmentVariable("DYNDBG_FUZZ_SEED"), out var s) ? s : 20261122;
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(10);

    private static readonly string[] EdgeNumbers =
        ["0", "1", "0xffffffffffffffff", "0x8000000000000000", "0x7fffffff", "0xfffffffffffff000", "4096M", "18446744073709551616", "-1", "0x100000000"];

    [GeneratedRegex(@"0[xX][0-9A-Fa-f]+|\d+[KM]?|[A-Za-z_.$][\w.$\-]*|\*\([^)]*\)|/\*.*?\*/|[{}();:=,*]|\S", RegexOptions.Singleline)]
    private static partial Regex Token();

    private static IEnumerable<TestCaseData> Scripts() =>
        Directory.EnumerateFiles(Path.Combine(TestPaths.Root, "linker"), "*.lds").Order(StringComparer.Ordinal)
            .Select(p => new TestCaseData(Path.GetFileName(p)).SetName($"ScriptMutants_{Path.GetFileNameWithoutExtension(p).Replace('-', '_')}"));

    [TestCaseSource(nameof(Scripts))]
    public void EveryMutantParsesAndLinksOrIsOurError(string name)
    {
        var path = Path.Combine(TestPaths.Root, "linker", name);
        var original = File.ReadAllText(path);
        var inputs = name.StartsWith("vmlinux", StringComparison.Ordinal) ? new[] { "vmlinux.o" } : ["alpha_main.o", "alpha_util.o"];
        var files = inputs.Select(i => (i, ElfFile.Open(TestPaths.Sample("x86_64", i)))).ToList();
        try
        {
            var rng = new Random(Seed + name.Sum(c => c));
            var ids = new SortedSet<string>();
            int parsed = 0, linked = 0;
            var slowest = TimeSpan.Zero;
            for (var i = 0; i < Mutants; i++)
            {
                var text = Mutate(original, rng);
                var sw = Stopwatch.StartNew();
                try
                {
                    var script = ScriptParser.Parse(name, text, Path.GetDirectoryName(path));
                    parsed++;
                    var result = Linker.Link(script, files);
                    _ = result.ToElf().ToArray();
                    _ = result.Map();
                    linked++;
                }
                catch (DiagnosticException e)
                {
                    ids.Add(e.Id);
                    e.OneLine.Should().NotContain("\n", $"mutant {i} of {name} (seed {Seed})");
                }
                catch (Exception)
                {
                    File.WriteAllText(Path.Combine(TestContext.CurrentContext.WorkDirectory, $"crash-{name}"), text);
                    throw;
                }

                slowest = sw.Elapsed > slowest ? sw.Elapsed : slowest;
                sw.Elapsed.Should().BeLessThan(HangGuard, $"mutant {i} of {name} (seed {Seed}) must not hang");
            }

            TestContext.Progress.WriteLine($"{name}: {Mutants} mutants (seed {Seed}), {parsed} parsed, {linked} linked, slowest {slowest.TotalMilliseconds:0} ms, IDs: {string.Join(" ", ids)}");
            ids.Should().NotBeEmpty();
        }
        finally
        {
            foreach (var (_, f) in files)
            {
                f.Dispose();
            }
        }
    }

    internal static string Mutate(string original, Random rng)
    {
        var tokens = Token().Matches(original).ToList();
        var t = tokens[rng.Next(tokens.Count)];
        var sb = new StringBuilder(original);
        switch (rng.Next(6))
        {
            case 0: // drop a token
                sb.Remove(t.Index, t.Length);
                break;
            case 1: // duplicate a token
                sb.Insert(t.Index, t.Value + " ");
                break;
            case 2: // delete a brace or parenthesis
            {
                var braces = tokens.Where(x => x.Value is "{" or "}" or "(" or ")").ToList();
                var b = braces.Count > 0 ? braces[rng.Next(braces.Count)] : t;
                sb.Remove(b.Index, b.Length);
                break;
            }

            case 3: // random bytes
                for (var k = rng.Next(1, 4); k > 0; k--)
                {
                    var at = rng.Next(sb.Length);
                    sb[at] = (char)rng.Next(1, 128);
                }

                break;
            case 4: // a number (or any token) becomes an edge value
            {
                var numbers = tokens.Where(x => char.IsAsciiDigit(x.Value[0])).ToList();
                var victim = numbers.Count > 0 && rng.Next(2) == 0 ? numbers[rng.Next(numbers.Count)] : t;
                sb.Remove(victim.Index, victim.Length).Insert(victim.Index, EdgeNumbers[rng.Next(EdgeNumbers.Length)]);
                break;
            }

            default: // an assignment to '.' or a symbol inside an output section, with an edge value
            {
                var open = tokens.Where(x => x.Value == "{").ToList();
                var at = open.Count > 0 ? open[rng.Next(open.Count)].Index + 1 : t.Index;
                var lhs = rng.Next(2) == 0 ? "." : "__fuzz";
                var op = new[] { "=", "+=", "-=", "*=", "/=" }[rng.Next(5)];
                sb.Insert(at, $" {lhs} {op} {EdgeNumbers[rng.Next(EdgeNumbers.Length)]}; ");
                break;
            }
        }

        return sb.ToString();
    }
}
