using System.Diagnostics;
using System.Text.RegularExpressions;
using DynDbg.ElfSim.Fuzz;

namespace DynDbg.ElfSim.Tests.Fuzz;

/// <summary>
/// Issue 18: every crash or hang AFL++ found (Findings/&lt;target&gt;/, copied there by <c>dotnet cake
/// --target=FuzzCoverage</c>, each with the fix that closed it) and every committed seed (DynDbg.ElfSim.Fuzz/Corpus)
/// goes through the same entry point as under AFL, <see cref="FuzzTargets.Replay"/>, and must end in success or in
/// our one-line error, well inside the hang bound AFL ran with.
/// </summary>
[TestFixture]
public partial class FindingsReplayTests
{
    /// <summary>AFL's 5 seconds, stretched by how oversubscribed the machine is: a finding that took 1-2 s failed the
    /// bound twice while the suite shared two cores with a CI run (load 9.7). A hang still fails, at any load.</summary>
    private static TimeSpan HangBound => TimeSpan.FromSeconds(5 * Math.Max(1.0, LoadPerCore()));

    private static double LoadPerCore()
    {
        try
        {
            var first = File.ReadAllText("/proc/loadavg").Split(' ')[0];
            return double.Parse(first, System.Globalization.CultureInfo.InvariantCulture) / Environment.ProcessorCount;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            return 1; // not Linux: AFL's bound as it is
        }
    }

    [GeneratedRegex(@"^ok$|: error [A-Z]{3}\d{3}: ")]
    private static partial Regex OurOutcome();

    private static string FindingsDir => Path.Combine(TestPaths.FindRoot(), "DynDbg.ElfSim.Tests", "Fuzz", "Findings");

    private static string CorpusDir => Path.Combine(TestPaths.FindRoot(), "DynDbg.ElfSim.Fuzz", "Corpus");

    private static IEnumerable<string> FindingFolders() =>
        Directory.Exists(FindingsDir) ? Directory.EnumerateDirectories(FindingsDir) : [];

    private static IEnumerable<TestCaseData> Findings() =>
        FindingFolders().Order(StringComparer.Ordinal)
            .SelectMany(d => Directory.EnumerateFiles(d).Where(f => !f.EndsWith(".md", StringComparison.Ordinal)).Order(StringComparer.Ordinal))
            .Select(f => new TestCaseData(Path.GetFileName(Path.GetDirectoryName(f)!), Path.GetFileName(f))
                .SetName($"Finding_{Path.GetFileName(Path.GetDirectoryName(f))}_{Path.GetFileName(f).Replace('.', '_').Replace(',', '_').Replace(':', '_')}"));

    [TestCaseSource(nameof(Findings))]
    public void FindingEndsInOurErrorOrSuccess(string target, string file)
    {
        var data = File.ReadAllBytes(Path.Combine(FindingsDir, target, file));
        var sw = Stopwatch.StartNew();
        var outcome = FuzzTargets.Replay(target, data);
        sw.Elapsed.Should().BeLessThan(HangBound, $"{target}/{file} was a finding; it must not hang now");
        outcome.Should().MatchRegex(OurOutcome().ToString());
    }

    [Test]
    public void FindingFoldersNameTargets() =>
        FindingFolders().Select(Path.GetFileName).Should().BeSubsetOf(FuzzTargets.Names);

    [Test]
    public void EveryTargetHasASeedCorpus()
    {
        foreach (var t in FuzzTargets.Names)
        {
            Directory.EnumerateFiles(Path.Combine(CorpusDir, t)).Should().NotBeEmpty($"target {t} needs seeds for afl-fuzz -i");
        }
    }

    /// <summary>The seeds afl-fuzz starts from must themselves go through their target (afl-fuzz refuses a
    /// corpus whose seeds crash), and they keep each target's code path working between fuzzing sessions.</summary>
    [TestCaseSource(typeof(FuzzTargets), nameof(FuzzTargets.Names))]
    public void SeedsEndInOurErrorOrSuccess(string target)
    {
        var seeds = Directory.EnumerateFiles(Path.Combine(CorpusDir, target)).Order(StringComparer.Ordinal).ToList();
        var ok = 0;
        foreach (var seed in seeds)
        {
            var outcome = FuzzTargets.Replay(target, File.ReadAllBytes(seed));
            outcome.Should().MatchRegex(OurOutcome().ToString(), $"seed {Path.GetFileName(seed)}");
            ok += outcome == "ok" ? 1 : 0;
        }

        ok.Should().BePositive($"at least one seed of {target} must go all the way through, or AFL starts from refusals only");
    }
}
