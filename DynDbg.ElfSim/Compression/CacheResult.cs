namespace DynDbg.ElfSim.Compression;

/// <summary>
/// The late-fetch cache's cost for one input: bytes per cached site (its kmalloc class), the fixed hash table,
/// the memory with every callsite enabled and used once, and the time of a hit (null when not timed). A miss
/// costs the store's Get plus the insertion.
/// </summary>
public sealed record CacheResult(int EntryBytes, int TableBytes, long AllEnabledBytes, double? HitNs);
