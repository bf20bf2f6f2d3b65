using BenchmarkDotNet.Attributes;
using DynDbg.ElfSim.Compression;

namespace DynDbg.ElfSim.Benchmarks;

/// <summary>
/// The Get paths of every store: a random <c>ddebug_site_get</c>/<c>_put</c> (a <c>pr_debug</c> late fetch), the
/// whole walk (<c>cat control</c>), and a late-fetch cache hit. Indices come from a fixed seed.
/// </summary>
[MemoryDiagnoser]
public class SiteStoreBenchmarks
{
    private const int Batch = 1024;

    private SiteStore _store = null!;
    private LateFetchCache _cache = null!;
    private int[] _indices = [];
    private Action<int, Site> _visit = null!;
    private ulong _sink;

    [Params("raw", "rle", "zstd", "zstd-block", "zstd-dict", "v6-pack", "cols")]
    public string Store { get; set; } = "raw";

    [GlobalSetup]
    public void Setup()
    {
        var table = BenchmarkInput.Table;
        _store = new SiteStoreOptions().Build(table).Single(s => s.Name == Store);
        var random = new Random(0x5eed);
        _indices = Enumerable.Range(0, Batch).Select(_ => random.Next(table.Count)).ToArray();
        _visit = (_, s) => _sink += s.Filename;
        _cache = new LateFetchCache(table.PointerSize);
        foreach (var i in _indices)
        {
            _cache.Use("m", i, _store);
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _store.Dispose();

    [Benchmark(OperationsPerInvoke = Batch)]
    public ulong Get()
    {
        ulong sum = 0;
        foreach (var i in _indices)
        {
            sum += _store.Get(i).Function;
            _store.Put(i);
        }

        return sum;
    }

    [Benchmark]
    public ulong Stream()
    {
        _store.Stream(_visit);
        return _sink;
    }

    [Benchmark(OperationsPerInvoke = Batch)]
    public ulong CacheHit()
    {
        ulong sum = 0;
        foreach (var i in _indices)
        {
            sum += _cache.Use("m", i, _store).Function;
        }

        return sum;
    }
}
