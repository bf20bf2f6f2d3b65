namespace DynDbg.ElfSim.Compression;

/// <summary>
/// Exactness of a store: Get(i) for every i, and the Stream walk, compared with the table's own sites.
/// <see cref="Mismatches"/> counts the records where either differs; <see cref="FirstMismatch"/> is -1 when none.
/// </summary>
public sealed record SiteStoreCheck(int Mismatches, int FirstMismatch)
{
    public bool Exact => Mismatches == 0;

    public static SiteStoreCheck Run(SiteStore store)
    {
        var table = store.Table;
        var bad = new bool[table.Count];
        for (var i = 0; i < table.Count; i++)
        {
            bad[i] = store.Get(i) != table[i];
            store.Put(i);
        }

        var next = 0;
        store.Stream((i, site) =>
        {
            // A walk that skips, repeats or reorders records is as wrong as a wrong value.
            if (i != next || site != table[i])
            {
                bad[Math.Clamp(i, 0, table.Count - 1)] = true;
            }

            next = i + 1;
        });
        if (next != table.Count && table.Count > 0)
        {
            bad[Math.Clamp(next, 0, table.Count - 1)] = true;
        }

        var count = bad.Count(b => b);
        return new SiteStoreCheck(count, Array.IndexOf(bad, true));
    }
}
