using System.Runtime.CompilerServices;

namespace DynDbg.ElfSim.Compression;

/// <summary>
/// <c>rle</c>: each column run-length coded on its own, the patch author's estimate exactly: a run of equal
/// pointer values costs one pointer plus a 2-byte count. Nothing else is kept, so a Get walks each column's runs
/// from the start (no random access); a run longer than 65535 records would be split and counted as two.
/// </summary>
public sealed class RleSiteStore : SiteStore
{
    private readonly (ulong[] Values, ushort[] Counts)[] _columns;

    public RleSiteStore(SiteTable table) : base(table)
    {
        var sites = table.Sites;
        _columns =
        [
            Runs(sites, static s => s.Modname),
            Runs(sites, static s => s.Filename),
            Runs(sites, static s => s.Function),
        ];
    }

    public override string Name => "rle";

    /// <summary>Runs per column: modname, filename, function.</summary>
    public IReadOnlyList<int> RunCounts => _columns.Select(c => c.Values.Length).ToArray();

    public override SiteStoreSize Size => new(RunCounts.Sum() * (long)(Table.PointerSize + 2), 0, 0);

    public override bool RandomAccess => false;

    public override string Detail =>
        $"runs modname {RunCounts[0]} + filename {RunCounts[1]} + function {RunCounts[2]}, each {Table.PointerSize}-byte pointer + 2-byte count";

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override Site Get(int index) =>
        new(Find(_columns[0], index), Find(_columns[1], index), Find(_columns[2], index));

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override void Stream(Action<int, Site> visit)
    {
        Span<int> run = stackalloc int[3];
        Span<int> left = stackalloc int[3];
        for (var c = 0; c < 3; c++)
        {
            left[c] = Count > 0 ? _columns[c].Counts[0] : 0;
        }

        for (var i = 0; i < Count; i++)
        {
            for (var c = 0; c < 3; c++)
            {
                if (left[c] == 0)
                {
                    left[c] = _columns[c].Counts[++run[c]];
                }

                left[c]--;
            }

            visit(i, new Site(_columns[0].Values[run[0]], _columns[1].Values[run[1]], _columns[2].Values[run[2]]));
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static ulong Find((ulong[] Values, ushort[] Counts) column, int index)
    {
        var counts = column.Counts;
        var j = 0;
        while (index >= counts[j])
        {
            index -= counts[j];
            j++;
        }

        return column.Values[j];
    }

    private static (ulong[], ushort[]) Runs(ReadOnlySpan<Site> sites, Func<Site, ulong> column)
    {
        var values = new List<ulong>();
        var counts = new List<ushort>();
        for (var i = 0; i < sites.Length; i++)
        {
            var v = column(sites[i]);
            if (values.Count > 0 && values[^1] == v && counts[^1] < ushort.MaxValue)
            {
                counts[^1]++;
            }
            else
            {
                values.Add(v);
                counts.Add(1);
            }
        }

        return (values.ToArray(), counts.ToArray());
    }
}
