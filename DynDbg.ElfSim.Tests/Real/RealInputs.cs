using System.Diagnostics;
using System.Text;
using DynDbg.ElfSim.Elf;

namespace DynDbg.ElfSim.Tests.Real;

/// <summary>What every Debian kernel of an architecture must look like, independent of the files themselves.</summary>
public sealed record RealArchFacts(string Name, ElfMachine Machine, bool Is64, bool BigEndian)
{
    public int PointerSize => Is64 ? 8 : 4;
}

/// <summary>One architecture's extracted kernel package, as <c>scripts/fetch-real.sh</c> reported it.</summary>
public sealed class RealArch
{
    private readonly Lazy<IReadOnlyDictionary<string, string>> _config;

    public RealArch(RealArchFacts facts, string abi, string root, string modules, int koCount)
    {
        Facts = facts;
        Abi = abi;
        Root = root;
        Modules = modules;
        KoCount = koCount;
        _config = new Lazy<IReadOnlyDictionary<string, string>>(ReadConfig);
    }

    public RealArchFacts Facts { get; }
    public string Name => Facts.Name;
    public string Abi { get; }
    public string Root { get; }
    public string Modules { get; }
    public int KoCount { get; }

    /// <summary>The <c>boot/config-&lt;abi&gt;</c> the kernel was built with (only <c>CONFIG_X=value</c> lines).</summary>
    public IReadOnlyDictionary<string, string> KernelConfig => _config.Value;

    public bool JumpLabel => KernelConfig.TryGetValue("CONFIG_JUMP_LABEL", out var v) && v == "y";

    /// <summary>
    /// sizeof(struct _ddebug) for this kernel (reference §1.1): four pointers and a 32-bit bitfield unit, plus a
    /// two-word static key under CONFIG_JUMP_LABEL, rounded up by <c>__aligned(8)</c>: 56/40 bytes (64-bit),
    /// 32/24 bytes (32-bit).
    /// </summary>
    public int ExpectedRecordSize => (Facts.Is64, JumpLabel) switch
    {
        (true, true) => 56,
        (true, false) => 40,
        (false, true) => 32,
        (false, false) => 24,
    };

    /// <summary>Every <c>.ko</c> below <see cref="Modules"/>, sorted by ordinal path so samples are reproducible.</summary>
    public IReadOnlyList<string> ModuleFiles() =>
        Directory.EnumerateFiles(Modules, "*.ko", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToArray();

    public string Relative(string path) => Path.GetRelativePath(Modules, path);

    private IReadOnlyDictionary<string, string> ReadConfig()
    {
        var path = Path.Combine(Root, "boot", "config-" + Abi);
        if (!File.Exists(path))
        {
            Assert.Fail($"{Name}: kernel config {path} is missing from the fetched package tree");
        }

        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in File.ReadLines(path))
        {
            var eq = line.IndexOf('=', StringComparison.Ordinal);
            if (line.StartsWith("CONFIG_", StringComparison.Ordinal) && eq > 0)
            {
                result[line[..eq]] = line[(eq + 1)..];
            }
        }

        return result;
    }
}

/// <summary>
/// Real Debian kernel binaries for the <c>Real</c> test category. <c>scripts/fetch-real.sh</c> runs once per test
/// run (it is a no-op on a warm cache, and it serialises concurrent runs on its own lock file); its stdout
/// KEY=VALUE lines say where everything is. Exit 3 means the host cannot fetch Debian packages: every real test
/// is ignored rather than failed.
/// </summary>
public static class RealInputs
{
    /// <summary>Comma list that limits the arches fetched and tested, e.g. <c>amd64,s390x</c>.</summary>
    public const string ArchesVariable = "DYNDBG_ELFSIM_REAL_ARCHES";

    private static readonly TimeSpan FetchTimeout = TimeSpan.FromMinutes(15);

    private static readonly RealArchFacts[] Known =
    [
        new("amd64", ElfMachine.X86_64, true, false),
        new("arm64", ElfMachine.AArch64, true, false),
        new("i386", ElfMachine.I386, false, false),
        new("armhf", ElfMachine.Arm, false, false),
        new("s390x", ElfMachine.S390, true, true),
        new("ppc64el", ElfMachine.Ppc64, true, false),
        new("mips64el", ElfMachine.Mips, true, false),
    ];

    private static readonly Lazy<FetchOutcome> Outcome = new(Fetch, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>TestCaseSource for per-arch fixtures: always all seven, so a filtered-out arch shows as ignored.</summary>
    public static IEnumerable<string> AllArches => Known.Select(k => k.Name);

    public static RealArchFacts FactsOf(string arch) => Known.Single(k => k.Name == arch);

    /// <summary>The fetched tree of <paramref name="arch"/>; ignores or fails the calling test when there is none.</summary>
    public static RealArch Arch(string arch)
    {
        var o = Ready();
        if (o.Selected is { } sel && !sel.Contains(arch))
        {
            Assert.Ignore($"{arch}: not in {ArchesVariable}={string.Join(',', sel)}");
        }

        string? Get(string key) => o.Values.GetValueOrDefault($"{key}_{arch}");
        var abi = Get("ABI");
        var root = Get("ROOT");
        var modules = Get("MODULES");
        if (abi is not null && root is not null && modules is not null && int.TryParse(Get("KO_COUNT"), out var count))
        {
            return new RealArch(FactsOf(arch), abi, root, modules, count);
        }

        Assert.Fail($"{arch}: fetch-real.sh (exit {o.ExitCode}) did not report ABI/ROOT/MODULES/KO_COUNT_{arch}.\n{o.StderrTail}");
        return null!; // unreachable: Assert.Fail throws
    }

    /// <summary>The unstripped amd64 vmlinux, or an ignored test when the fetch did not provide one.</summary>
    public static string Vmlinux(string arch = "amd64")
    {
        var o = Ready();
        if (o.Values.GetValueOrDefault($"VMLINUX_{arch}") is { } path)
        {
            return path;
        }

        if (o.ExitCode != 0 && (o.Selected is null || o.Selected.Contains(arch)))
        {
            Assert.Fail($"fetch-real.sh exited {o.ExitCode} and reported no VMLINUX_{arch}.\n{o.StderrTail}");
        }

        Assert.Ignore($"fetch-real.sh output has no VMLINUX_{arch}" +
                      (o.Selected is { } s ? $" ({ArchesVariable}={string.Join(',', s)})" : ""));
        return null!; // unreachable: Assert.Ignore throws
    }

    /// <summary>The folder holding <c>DynDbgElfSim.sln</c>, found by walking up from the test binaries.</summary>
    public static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(TestContext.CurrentContext.TestDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "DynDbgElfSim.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"DynDbgElfSim.sln not found above {TestContext.CurrentContext.TestDirectory}");
    }

    private sealed record FetchOutcome(
        int ExitCode,
        IReadOnlyDictionary<string, string> Values,
        IReadOnlySet<string>? Selected,
        string StderrTail,
        string? Ignore,
        string? Failure);

    /// <summary>Turns the one-time outcome into an ignore/fail of the current test, or returns it.</summary>
    private static FetchOutcome Ready()
    {
        var o = Outcome.Value;
        if (o.Ignore is not null)
        {
            Assert.Ignore(o.Ignore);
        }

        if (o.Failure is not null)
        {
            Assert.Fail(o.Failure);
        }

        return o;
    }

    private static FetchOutcome Fetch()
    {
        var empty = new Dictionary<string, string>();
        HashSet<string>? selected = null;
        if (Environment.GetEnvironmentVariable(ArchesVariable) is { Length: > 0 } list)
        {
            selected = list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.Ordinal);
            var unknown = selected.Where(a => Known.All(k => k.Name != a)).ToArray();
            if (unknown.Length > 0 || selected.Count == 0)
            {
                return new FetchOutcome(-1, empty, selected, "", null,
                    $"{ArchesVariable}='{list}' names unknown arch(es) [{string.Join(", ", unknown)}]; known: {string.Join(", ", AllArches)}");
            }
        }

        var root = RepoRoot();
        var script = Path.Combine(root, "scripts", "fetch-real.sh");
        var psi = new ProcessStartInfo("bash")
        {
            WorkingDirectory = root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add(script);
        if (selected is not null)
        {
            psi.ArgumentList.Add("--arch");
            psi.ArgumentList.Add(string.Join(',', Known.Select(k => k.Name).Where(selected.Contains)));
        }

        var stdout = new StringBuilder();
        var stderr = new List<string>();
        var progress = TestContext.Progress;
        var sw = Stopwatch.StartNew();
        using var p = new Process { StartInfo = psi };
        p.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (stdout)
                {
                    stdout.Append(e.Data).Append('\n');
                }
            }
        };
        // The script's stderr is its progress log; echo it so a cold (multi-minute) fetch is visible.
        p.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (stderr)
                {
                    stderr.Add(e.Data);
                }

                progress.WriteLine(e.Data);
            }
        };

        try
        {
            p.Start();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return new FetchOutcome(-1, empty, selected, "", $"cannot run bash ({e.Message}): real kernel inputs need a Debian/Ubuntu host", null);
        }

        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        if (!p.WaitForExit(FetchTimeout))
        {
            p.Kill(entireProcessTree: true);
            p.WaitForExit();
            return new FetchOutcome(-1, empty, selected, Tail(stderr), null,
                $"{script} did not finish within {FetchTimeout.TotalMinutes} min.\n{Tail(stderr)}");
        }

        p.WaitForExit(); // drains the asynchronous readers
        progress.WriteLine($"fetch-real.sh: exit {p.ExitCode} after {sw.ElapsedMilliseconds} ms");
        var values = ParseKeyValues(stdout.ToString());
        var tail = Tail(stderr);
        return p.ExitCode switch
        {
            0 => new FetchOutcome(0, values, selected, tail, null, null),
            3 => new FetchOutcome(3, values, selected, tail,
                $"real kernel inputs unavailable: fetch-real.sh exit 3 (not a Debian/Ubuntu host, or no kernel metapackage resolvable).\n{tail}", null),
            // Exit 1: some arch failed; the others are listed and usable, the missing ones fail in Arch().
            1 when values.ContainsKey("ARCHES") => new FetchOutcome(1, values, selected, tail, null, null),
            _ => new FetchOutcome(p.ExitCode, values, selected, tail, null, $"{script} failed with exit {p.ExitCode}.\n{tail}"),
        };
    }

    /// <summary>The output contract: one KEY=VALUE a line, VALUE is everything after the first '='.</summary>
    private static Dictionary<string, string> ParseKeyValues(string text)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n'))
        {
            var eq = line.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0)
            {
                values[line[..eq]] = line[(eq + 1)..];
            }
        }

        return values;
    }

    private static string Tail(List<string> lines)
    {
        lock (lines)
        {
            return "fetch-real.sh stderr (tail):\n  " + string.Join("\n  ", lines.TakeLast(25));
        }
    }
}
