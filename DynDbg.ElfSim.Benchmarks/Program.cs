using BenchmarkDotNet.Running;

namespace DynDbg.ElfSim.Benchmarks;

/// <summary>
/// <c>dotnet run -c Release --project DynDbg.ElfSim.Benchmarks -- --filter '*'</c>; the input is
/// <c>$DYNDBG_ELFSIM_BENCH_INPUT</c>, else Debian's amd64 vmlinux from scripts/fetch-real.sh, else the sample
/// vmlinux.o (see <see cref="BenchmarkInput"/>). Figures are recorded in docs/compression.md.
/// </summary>
public static class Program
{
    public static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}
