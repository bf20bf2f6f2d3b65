// DynDbg.ElfSim build script: `dotnet tool restore && dotnet cake --target=<Target>`.
// Targets: Clean, Build, Test (unit + real-kernel tests), UnitTest, RealKernel, Samples, FetchReal, Fuzz, FuzzCoverage, Bench, CI (what .ci/run runs).

var target = Argument("target", "Test");
var configuration = Argument("configuration", "Release");
var solution = "./DynDbgElfSim.sln";

// ------------------------------------------------------------------ Tasks

Task("Clean")
    .Does(() =>
{
    CleanDirectories("./**/bin/" + configuration);
    CleanDirectories("./**/obj");
    CleanDirectory("./.artifacts");
});

Task("Build")
    .Does(() =>
{
    DotNetBuild(solution, new DotNetBuildSettings { Configuration = configuration });
});

Task("UnitTest")
    .IsDependentOn("Build")
    .Does(() =>
{
    DotNetTest(solution, new DotNetTestSettings
    {
        Configuration = configuration,
        NoBuild = true,
        Filter = "TestCategory!=Real&TestCategory!=RealKernel",
    });
});

Task("Test")
    .IsDependentOn("Build")
    .Does(() =>
{
    DotNetTest(solution, new DotNetTestSettings { Configuration = configuration, NoBuild = true });
});

// Boots Debian's amd64 kernel under qemu (scripts/qemu/boot.sh, cached) and compares the tool with it.
Task("RealKernel")
    .IsDependentOn("Build")
    .Does(() =>
{
    DotNetTest(solution, new DotNetTestSettings { Configuration = configuration, NoBuild = true, Filter = "TestCategory=RealKernel" });
});

// Rebuilds samples/objs from samples/src (needs clang, lld, binutils-s390x-linux-gnu; see samples/README.md).
Task("Samples")
    .Does(() =>
{
    var exit = StartProcess("bash", new ProcessSettings { Arguments = "samples/src/build.sh" });
    if (exit != 0) throw new Exception($"samples/src/build.sh failed with exit code {exit}");
});

// Downloads Debian's kernel images (all release architectures) and the amd64 vmlinux into the cache.
Task("FetchReal")
    .Does(() =>
{
    var exit = StartProcess("bash", new ProcessSettings { Arguments = "scripts/fetch-real.sh" });
    if (exit != 0) throw new Exception($"scripts/fetch-real.sh failed with exit code {exit}");
});

// Long mutation run over samples, real modules and the bundled linker scripts: --iterations=N (per input) --seed=S.
Task("Fuzz")
    .Does(() =>
{
    var settings = new DotNetTestSettings
    {
        Configuration = configuration,
        Filter = "FullyQualifiedName~MutationSmokeTests|FullyQualifiedName~ScriptMutationTests",
        EnvironmentVariables = new Dictionary<string, string>
        {
            ["DYNDBG_FUZZ_ITERATIONS"] = Argument("iterations", "100000"),
            ["DYNDBG_FUZZ_SEED"] = Argument("seed", "20261122"),
        },
        Loggers = new[] { "console;verbosity=normal" },
    };
    DotNetTest(solution, settings);
});

// Coverage-guided fuzzing (issue 18): SharpFuzz-instrumented DynDbg.ElfSim.dll under AFL++ (scripts/fuzz/run.sh, which
// installs afl++ and the sharpfuzz tool): --fuzz-target=NAME (or NAME,NAME... or all) --minutes=N (or --seconds=N).
// Crashes and hangs are copied into DynDbg.ElfSim.Tests/Fuzz/Findings/<target>/ and fail the task.
Task("FuzzCoverage")
    .Does(() =>
{
    var fuzzTarget = Argument<string>("fuzz-target");
    var seconds = HasArgument("seconds") ? Argument<int>("seconds") : 60 * Argument("minutes", 10);
    var exit = StartProcess("bash", new ProcessSettings { Arguments = $"scripts/fuzz/run.sh {fuzzTarget} {seconds}" });
    if (exit != 0) throw new Exception($"scripts/fuzz/run.sh failed with exit code {exit} (findings above, if any)");
});

// Whole-process timings against readelf (scripts/bench.sh) and the BenchmarkDotNet suite (scripts/bench-dotnet.sh),
// both written into docs/performance.md: --runs=N (default 3), --job=short|dry.
Task("Bench")
    .Does(() =>
{
    var exit = StartProcess("bash", new ProcessSettings { Arguments = "scripts/bench.sh " + Argument("runs", "3") });
    if (exit != 0) throw new Exception($"scripts/bench.sh failed with exit code {exit}");
    // BenchmarkDotNet with a short job (--job=dry for a smoke run); its tables go into docs/performance.md too.
    exit = StartProcess("bash", new ProcessSettings { Arguments = "scripts/bench-dotnet.sh " + Argument("job", "short") });
    if (exit != 0) throw new Exception($"scripts/bench-dotnet.sh failed with exit code {exit}");
});

Task("CI")
    .Does(() =>
{
    var exit = StartProcess("bash", new ProcessSettings { Arguments = ".ci/run" });
    if (exit != 0) throw new Exception($".ci/run failed with exit code {exit}");
});

// ------------------------------------------------------------------ Execution

RunTarget(target);
