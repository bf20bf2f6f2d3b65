namespace DynDbg.ElfSim.Tests;

/// <summary>Paths into the repository, found from the test binary's folder.</summary>
public static class TestPaths
{
    private static readonly Lazy<string> RootLazy = new(() => FindRoot(TestContext.CurrentContext.TestDirectory));

    public static string Root => RootLazy.Value;

    /// <summary>The repository root from the test assembly's folder; usable at test discovery, before a test runs.</summary>
    public static string FindRoot() => FindRoot(AppContext.BaseDirectory);

    private static string FindRoot(string start)
    {
        var dir = new DirectoryInfo(start);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "DynDbgElfSim.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("DynDbgElfSim.sln not found above the test directory");
    }

    public static string Samples => Path.Combine(Root, "samples", "objs");

    public static string Sample(string arch, string file) => Path.Combine(Samples, arch, file);

    /// <summary>Every bundled sample object (.o and .ko, diet and legacy ones included), in ordinal path order.</summary>
    public static IEnumerable<string> SampleObjects() =>
        Directory.EnumerateFiles(Samples, "*", SearchOption.AllDirectories)
            .Where(p => p.EndsWith(".o", StringComparison.Ordinal) || p.EndsWith(".ko", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal);

    /// <summary>The bundled diet v5 sample (README): two objects, each with its own .gnu.linkonce.dyndbg header pair.</summary>
    public static string[] DietSample => [Sample("x86_64", "diet/v5/alpha_main.o"), Sample("x86_64", "diet/v5/alpha_util.o")];

    public static string Golden(string name) => Path.Combine(Root, "DynDbg.ElfSim.Tests", "Golden", name);

    public static readonly string[] Arches = ["x86_64", "i386", "aarch64", "armhf", "s390x", "ppc64le", "mips64el", "riscv64"];
}
