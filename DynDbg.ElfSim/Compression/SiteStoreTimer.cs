using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace DynDbg.ElfSim.Compression;

/// <summary>
/// In-process timings of a store, for the <c>compress</c> table (BenchmarkDotNet gives the careful figures, see
/// DynDbg.ElfSim.Benchmarks). A measurement repeats batches of operations, each long enough for the clock
/// (≥ 20 µs), after one warm-up batch, until <c>budget</c> has passed and at least 7 batches ran, and reports
/// the median per operation: robust against the other processes of a shared machine.
/// </summary>
public static class SiteStoreTimer
{
    private const int Seed = 0x5eed;
    private const int MinBatches = 7;
    private static readonly long MinBatchTicks = Stopwatch.Frequency / 50_000;

    /// <summary>Stopwatch ticks, not TimeSpan's 100 ns ticks: a batch of a few fast Gets is shorter than 100 ns.</summary>
    private static readonly double NsPerTick = 1e9 / Stopwatch.Frequency;

    /// <summary>A random Get + Put, as a <c>pr_debug</c> late fetch does; indices from a fixed-seed sequence.</summary>
    public static double GetNs(SiteStore store, TimeSpan budget)
    {
        if (store.Count == 0)
        {
            return 0;
        }

        var random = new Random(Seed);
        var indices = new int[4096];
        for (var i = 0; i < indices.Length; i++)
        {
            indices[i] = random.Next(store.Count);
        }

        ulong sink = 0;
        var cursor = 0;
        var ns = Measure(budget, ops => sink += GetLoop(store, indices, ref cursor, ops));
        GC.KeepAlive(sink);
        return ns;
    }

    /// <summary>One whole walk over the sites in record order (<c>cat control</c>).</summary>
    public static double StreamNs(SiteStore store, TimeSpan budget)
    {
        var sink = new Sink();
        Action<int, Site> visit = sink.Visit;
        var ns = Measure(budget, ops =>
        {
            for (var n = 0; n < ops; n++)
            {
                store.Stream(visit);
            }
        });
        GC.KeepAlive(sink.Sum);
        return ns;
    }

    // The timed loops are compiled fully optimised at once, like the stores' Get paths (see SiteStore).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static ulong GetLoop(SiteStore store, int[] indices, ref int cursor, int ops)
    {
        ulong sum = 0;
        var c = cursor;
        for (var n = 0; n < ops; n++)
        {
            var i = indices[c];
            c = (c + 1) & (indices.Length - 1);
            sum += store.Get(i).Function;
            store.Put(i);
        }

        cursor = c;
        return sum;
    }

    private static double Measure(TimeSpan budget, Action<int> run)
    {
        // Warm up (first calls compile), then size the batch: double until one batch is long enough to time.
        run(16);
        var ops = 1;
        var sw = new Stopwatch();
        while (true)
        {
            sw.Restart();
            run(ops);
            if (sw.ElapsedTicks >= MinBatchTicks || ops >= 1 << 24)
            {
                break;
            }

            ops *= 2;
        }

        var perOp = new List<double>();
        var total = Stopwatch.StartNew();
        while (perOp.Count < MinBatches || total.Elapsed < budget)
        {
            sw.Restart();
            run(ops);
            perOp.Add(sw.ElapsedTicks * NsPerTick / ops);
        }

        perOp.Sort();
        return perOp[perOp.Count / 2];
    }

    /// <summary>What a <c>cat control</c> reader does with each site, reduced to keeping it alive.</summary>
    private sealed class Sink
    {
        public ulong Sum { get; private set; }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Visit(int index, Site site) => Sum += site.Filename;
    }
}
