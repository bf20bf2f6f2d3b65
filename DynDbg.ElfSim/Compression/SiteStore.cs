using System.Runtime.CompilerServices;

namespace DynDbg.ElfSim.Compression;

/// <summary>
/// A way of keeping a table's sites, with the diet plan's access pair: <see cref="Get"/> is
/// <c>ddebug_site_get(dp)</c> (reference §6.5: return the site of record <c>dp->_index</c>) and <see cref="Put"/>
/// is <c>ddebug_site_put(dp)</c> (release what the get made). <see cref="Stream"/> is <c>cat control</c>: every
/// site in record order, each got and put. Every store is exact: Get(i) equals the table's site i, which
/// <see cref="SiteStoreCheck"/> verifies for all i. The Get and Stream paths of every store are marked
/// <c>AggressiveOptimization</c>: compiled fully optimised on first call, so in-process timings do not depend on
/// when tiered JIT gets round to promoting them.
/// </summary>
public abstract class SiteStore(SiteTable table) : IDisposable
{
    public SiteTable Table { get; } = table;

    public int Count => Table.Count;

    /// <summary>Stable name used in every output format (<c>raw</c>, <c>rle</c>, <c>zstd</c>, ...).</summary>
    public abstract string Name { get; }

    /// <summary>Resident bytes, by kind; <see cref="SiteStoreSize.Total"/> is the figure compared.</summary>
    public abstract SiteStoreSize Size { get; }

    /// <summary>Bytes needed only while fetching (decompression context, buffers): shared by all tables of a kernel.</summary>
    public virtual long WorkspaceBytes => 0;

    /// <summary>True when a Get costs about the same for every index (no walk or decompression from the start).</summary>
    public abstract bool RandomAccess { get; }

    /// <summary>One line on how the bytes are counted and the parameters used.</summary>
    public abstract string Detail { get; }

    public abstract Site Get(int index);

    public virtual void Put(int index)
    {
    }

    /// <summary>Visits every site in record order; stores override it when a sequential walk is cheaper than Gets.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public virtual void Stream(Action<int, Site> visit)
    {
        for (var i = 0; i < Count; i++)
        {
            visit(i, Get(i));
            Put(i);
        }
    }

    public virtual void Dispose() => GC.SuppressFinalize(this);
}
