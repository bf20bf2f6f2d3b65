using System.Runtime.CompilerServices;

namespace DynDbg.ElfSim.Compression;

/// <summary>
/// <c>raw</c>: the plain <c>__dyndbg_sites</c> array of the diet plan (reference §6.1, v5 28/28: the site of record
/// N is <c>&amp;header.site[N]</c>). Records × 3 pointers; what mainline spends in <c>struct _ddebug</c> today.
/// </summary>
public sealed class RawSiteStore(SiteTable table) : SiteStore(table)
{
    private readonly Site[] _sites = table.Sites.ToArray();

    public override string Name => "raw";

    public override SiteStoreSize Size => new(Table.RawBytes, 0, 0);

    public override bool RandomAccess => true;

    public override string Detail => $"{Count} records x 3 pointers x {Table.PointerSize} bytes";

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override Site Get(int index) => _sites[index];
}
