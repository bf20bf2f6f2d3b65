using System.Runtime.CompilerServices;

namespace DynDbg.ElfSim.Compression;

/// <summary>
/// <c>v6-pack</c>: the diet plan v6 packing (reference §6.16, [v6 32/34] modules, [v6 33/34] built-ins): walk the
/// sites, push a site onto the packed stack when its <c>function</c> pointer differs from the top's, and set each
/// record's <c>_map</c> to the stack position; Get is <c>&amp;dh->site[dp->_map]</c>. The compare is on the function
/// pointer only, as in the patch, so a record whose modname or filename differs from the first record of its
/// function run gets that record's site back: <see cref="SiteStoreCheck"/> reports such records as mismatches.
/// Bytes: packed sites × 3 pointers. <c>_map:14</c> is not counted: with <c>_back:14</c> it replaces v5's
/// <c>_index:14</c> and fits the 32-bit unit <c>flags:8</c> already pads (struct size unchanged, §4).
/// </summary>
public sealed class V6PackSiteStore : SiteStore
{
    private readonly Site[] _packed;
    private readonly int[] _map;

    public V6PackSiteStore(SiteTable table) : base(table)
    {
        var sites = table.Sites;
        var packed = new List<Site>();
        _map = new int[sites.Length];
        for (var i = 0; i < sites.Length; i++)
        {
            if (packed.Count == 0 || sites[i].Function != packed[^1].Function)
            {
                packed.Add(sites[i]);
            }

            _map[i] = packed.Count - 1;
        }

        _packed = packed.ToArray();
    }

    public override string Name => "v6-pack";

    public int PackedCount => _packed.Length;

    public override SiteStoreSize Size => new((long)_packed.Length * Table.SiteSize, 0, 0);

    public override bool RandomAccess => true;

    public override string Detail =>
        $"{_packed.Length} packed sites (one per function run) x 3 pointers; _map rides in existing padding";

    /// <summary>The <c>_map</c> value the patch would store in record <paramref name="index"/>.</summary>
    public int MapOf(int index) => _map[index];

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override Site Get(int index) => _packed[_map[index]];
}
