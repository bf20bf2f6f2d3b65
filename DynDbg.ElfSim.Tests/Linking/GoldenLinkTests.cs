using System.Text.RegularExpressions;
using DynDbg.ElfSim.Elf;
using DynDbg.ElfSim.Linking;

namespace DynDbg.ElfSim.Tests.Linking;

/// <summary>
/// Layout tests in GNU ld's testsuite shape (ld/testsuite/ld-scripts): for each <c>Golden/NAME.d</c>, the sources it
/// names are assembled, linked with the engine under <c>NAME.lds</c>, and a dump of the output is matched against
/// the expected lines, which are regular expressions as in binutils' <c>regexp_diff</c> (<c>#...</c> skips lines,
/// <c>#pass</c> accepts the rest). Directives: <c>#source:</c>, <c>#as:</c>, <c>#ld:</c>, <c>#readelf:</c>,
/// <c>#map:</c> (a regex file for the map), <c>#error:</c>. Each golden is also run through ld.bfd with the same
/// options, so an expectation that ld.bfd does not meet is itself a failure: the goldens pin ld's behaviour.
/// </summary>
[TestFixture]
[NonParallelizable] // RunCliIn sets the process-wide current directory
public class GoldenLinkTests
{
    internal static string GoldenDir => Path.Combine(TestPaths.Root, "DynDbg.ElfSim.Tests", "Linking", "Golden");

    public static IEnumerable<TestCaseData> Goldens() =>
        Directory.EnumerateFiles(Path.Combine(TestPaths.FindRoot(), "DynDbg.ElfSim.Tests", "Linking", "Golden"), "*.d")
            .Order(StringComparer.Ordinal)
            .Select(p => new TestCaseData(Path.GetFileNameWithoutExtension(p)).SetName($"Golden_{Path.GetFileNameWithoutExtension(p)}"));

    private sealed record Directives(List<string> Sources, string AsFlags, List<string> LdArgs, string? Readelf, string? Map, string? Error, string? LdError);

    private static (Directives D, List<string> Expected) ReadD(string name)
    {
        var sources = new List<string>();
        string asFlags = "--64", readelf = "", map = "", error = "", ldError = "";
        var ld = new List<string>();
        var expected = new List<string>();
        foreach (var line in File.ReadAllLines(Path.Combine(GoldenDir, name + ".d")))
        {
            var m = Regex.Match(line, @"^#\s*([a-z]+):\s*(.*)$");
            if (m.Success && m.Groups[1].Value is "source" or "as" or "ld" or "readelf" or "map" or "error" or "lderror")
            {
                var v = m.Groups[2].Value.Trim();
                switch (m.Groups[1].Value)
                {
                    case "source": sources.Add(v); break;
                    case "as": asFlags = v; break;
                    case "ld": ld.AddRange(v.Split(' ', StringSplitOptions.RemoveEmptyEntries)); break;
                    case "readelf": readelf = v; break;
                    case "map": map = v; break;
                    case "error": error = v; break;
                    case "lderror": ldError = v; break;
                }
            }
            else if (line is "#..." or "#pass" || !line.StartsWith('#'))
            {
                expected.Add(line);
            }

            // Any other line starting with '#' is a comment, as in ld's .d files.
        }

        return (new Directives(sources, asFlags, ld, readelf.Length > 0 ? readelf : null, map.Length > 0 ? map : null,
            error.Length > 0 ? error : null, ldError.Length > 0 ? ldError : null), expected);
    }

    [TestCaseSource(nameof(Goldens))]
    public void LayoutMatchesTheGolden(string name)
    {
        Tools.Require("as", "readelf");

        var (d, expected) = ReadD(name);
        var (dir, objects) = Assemble(name, d.Sources, d.AsFlags);
        File.Copy(Path.Combine(GoldenDir, name + ".lds"), Path.Combine(dir, name + ".lds"), true);

        // The engine, through the CLI as a user runs it.
        var script = d.LdArgs[d.LdArgs.IndexOf("-T") + 1];
        var linkOnce = d.LdArgs.Contains("--linkonce") ? d.LdArgs[d.LdArgs.IndexOf("--linkonce") + 1] : "gnu";
        var (rc, _, stderr) = RunCliIn(dir, ["link", "-T", script, "-o", "our.o", "-Map", "our.map", "--linkonce", linkOnce, .. objects]);

        if (d.Error is not null)
        {
            rc.Should().Be(2);
            stderr.Should().MatchRegex(d.Error);
        }
        else
        {
            rc.Should().Be(0, stderr);
            CheckOutputs(dir, "our", d, expected, "engine");
        }

        // The same through ld.bfd: the golden states ld's behaviour.
        if (linkOnce == "gnu" && Tools.Available("ld.bfd"))
        {
            var ldArgs = d.LdArgs.Where((a, i) => a != "--linkonce" && (i == 0 || d.LdArgs[i - 1] != "--linkonce")).ToList();
            var (ldRc, _, ldErr) = Tools.RunIn(dir, "ld.bfd", [.. ldArgs, "-o", "ld.o", "-Map", "ld.map", .. objects]);
            if (d.Error is not null)
            {
                ldRc.Should().NotBe(0);
                ldErr.Should().MatchRegex(d.LdError ?? ".");
            }
            else
            {
                ldRc.Should().Be(0, ldErr);
                CheckOutputs(dir, "ld", d, expected, "ld.bfd");
            }
        }
    }

    /// <summary>A fresh work directory for a golden, holding the bundled scripts and the named sources assembled
    /// with GNU as; returns the objects' names, relative to the directory, so outputs name them as a user would.</summary>
    internal static (string Dir, List<string> Objects) Assemble(string name, IEnumerable<string> sources, string asFlags)
    {
        var dir = Path.Combine(TestContext.CurrentContext.WorkDirectory, "golden", name);
        if (Directory.Exists(dir))
        {
            Directory.Delete(dir, true);
        }

        Directory.CreateDirectory(dir);
        foreach (var f in Directory.EnumerateFiles(Path.Combine(TestPaths.Root, "linker"), "*.lds"))
        {
            File.Copy(f, Path.Combine(dir, Path.GetFileName(f)));
        }

        var objects = new List<string>();
        foreach (var src in sources)
        {
            File.Copy(Path.Combine(GoldenDir, src), Path.Combine(dir, src), true);
            var obj = Path.ChangeExtension(src, ".o");
            var (code, _, err) = Tools.RunIn(dir, "as", [.. asFlags.Split(' ', StringSplitOptions.RemoveEmptyEntries), "-o", obj, src]);
            code.Should().Be(0, err);
            objects.Add(obj);
        }

        return (dir, objects);
    }

    /// <summary>Runs the CLI with <paramref name="dir"/> as the current directory: process-wide state, so every fixture
    /// that calls it is [NonParallelizable].</summary>
    internal static (int Code, string Out, string Err) RunCliIn(string dir, string[] args)
    {
        var previous = Directory.GetCurrentDirectory();
        try
        {
            Directory.SetCurrentDirectory(dir);
            return Cli.CliRunner.Run(args);
        }
        finally
        {
            Directory.SetCurrentDirectory(previous);
        }
    }

    private static void CheckOutputs(string dir, string stem, Directives d, List<string> expected, string who)
    {
        if (d.Readelf is not null)
        {
            var (_, dump, _) = Tools.Run("readelf", [.. d.Readelf.Split(' ', StringSplitOptions.RemoveEmptyEntries), Path.Combine(dir, stem + ".o")]);
            RegexpDiff(expected, dump, $"{who} readelf {d.Readelf}");
        }

        if (d.Map is not null)
        {
            var mapExpected = File.ReadAllLines(Path.Combine(GoldenDir, d.Map)).Where(l => l is "#..." or "#pass" || !l.StartsWith('#')).ToList();
            RegexpDiff(mapExpected, File.ReadAllText(Path.Combine(dir, stem + ".map")), $"{who} map");
        }
    }

    /// <summary>binutils' regexp_diff (map files use the same rules; lines starting with "# " are comments there too):
    /// each expected line is a regex for a whole output line, in order; "#..."
    /// skips output lines until the next expected line matches; "#pass" accepts the rest; blank lines are ignored.</summary>
    internal static void RegexpDiff(List<string> expected, string actualText, string what)
    {
        var actual = actualText.Split('\n').Select(l => l.TrimEnd()).Where(l => l.Length > 0).ToList();
        var exp = expected.Select(l => l.TrimEnd()).Where(l => l.Length > 0).ToList();
        int ai = 0;
        for (var ei = 0; ei < exp.Count; ei++)
        {
            var e = exp[ei];
            if (e == "#pass")
            {
                return;
            }

            if (e == "#...")
            {
                if (ei + 1 == exp.Count)
                {
                    return;
                }

                var next = new Regex("^(?:" + exp[ei + 1] + ")$");
                while (ai < actual.Count && !next.IsMatch(actual[ai]))
                {
                    ai++;
                }

                continue;
            }

            if (ai >= actual.Count)
            {
                Assert.Fail($"{what}: output ended, expected a line matching: {e}\n--- output ---\n{actualText}");
            }

            if (!Regex.IsMatch(actual[ai], "^(?:" + e + ")$"))
            {
                Assert.Fail($"{what}: line {ai + 1} does not match\n  expected regex: {e}\n  actual:         {actual[ai]}\n--- output ---\n{actualText}");
            }

            ai++;
        }
    }
}
