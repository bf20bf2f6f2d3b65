using DynDbg.ElfSim.Compression;

namespace DynDbg.ElfSim.Tests.Compression;

/// <summary>The late-fetch cache: fetch on first enabled use, keep by module + _index, drop on -p, memory counted.</summary>
[TestFixture]
public class LateFetchCacheTests
{
    [Test]
    public void FirstUse_Fetches_NextUse_Hits_Disable_Drops()
    {
        var table = SyntheticSites.KernelLike(100);
        using var store = new CountingStore(table);
        var cache = new LateFetchCache(8);

        cache.Use("e1000e", 42, store).Should().Be(table[42]);
        cache.Use("e1000e", 42, store).Should().Be(table[42]);
        store.Gets.Should().Be(1);
        store.Puts.Should().Be(1, "the store's buffer is released once the site is copied into the cache");
        (cache.Fetches, cache.Hits, cache.Count).Should().Be((1, 1, 1));

        // Same _index in another module is another callsite.
        cache.Use("bnep", 42, store);
        cache.Count.Should().Be(2);

        cache.Disable("e1000e", 42).Should().BeTrue();
        cache.Contains("e1000e", 42).Should().BeFalse();
        cache.Disable("e1000e", 42).Should().BeFalse();
        cache.Use("e1000e", 42, store);
        store.Gets.Should().Be(3, "re-enabling fetches again");
    }

    [TestCase(8, 56, 64, 512)]
    [TestCase(4, 32, 32, 256)]
    public void Memory_IsKmallocClassPerEntry_PlusTheHashTable(int pointerSize, int structBytes, int entryBytes, int tableBytes)
    {
        var cache = new LateFetchCache(pointerSize);
        cache.EntryStructBytes.Should().Be(structBytes);
        cache.EntryBytes.Should().Be(entryBytes);
        cache.TableBytes.Should().Be(tableBytes);
        cache.MemoryBytes.Should().Be(tableBytes);
        using var store = new RawSiteStore(SyntheticSites.KernelLike(10, pointerSize));
        for (var i = 0; i < 10; i++)
        {
            cache.Use("m", i, store);
        }

        cache.MemoryBytes.Should().Be(tableBytes + (10 * entryBytes));
        cache.MemoryFor(2007).Should().Be(tableBytes + (2007L * entryBytes));
    }

    private sealed class CountingStore(SiteTable table) : SiteStore(table)
    {
        public int Gets { get; private set; }
        public int Puts { get; private set; }
        public override string Name => "counting";
        public override SiteStoreSize Size => new(0, 0, 0);
        public override bool RandomAccess => true;
        public override string Detail => "";

        public override Site Get(int index)
        {
            Gets++;
            return Table[index];
        }

        public override void Put(int index) => Puts++;
    }
}
