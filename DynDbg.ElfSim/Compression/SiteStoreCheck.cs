namespace DynDbg.ElfSim.Compression;

/// <summary>
/// Exactness of a store: Get(i) for every i (for a store without random access, an even sample of
/// <see cref="GetSample"/> records), and the Stream walk over all, compared with the table's own sites.
/// <see cref="Mismatches"/> counts the records where either differs; <see cref="FirstMismatch"/> is -1 when none.
/// </summary>
public sealed record SiteStoreCheck(int Mismatches, int FirstMismatch)
{
    /// <summary>How many records a store without random access has its Get checked on (all, when fewer).</summary>
    public const int GetSample = 64;

    public bool Exact => Mismatches == 0;

    public static SiteStoreCheck Run(SiteStore store)
    {
        var table = store.Table;
        var bad = new bool[table.Count];
        // A store without random access pays for the whole table on each Get (zstd decompresses its one frame, rle
        // walks its runs), so a Get per record is quadratic: hours at a million records (issue 6). Its Get is
        // checked on GetSample records spread evenly, the first and the last included; the Stream walk below
        // still checks every record.
        var step = store.RandomAccess || table.Count <= GetSample ? 1 : table.Count / GetSample;
        void CheckGet(int i)
        {
            bad[i] = store.Get(i) != table[i];
            store.Put(i);
        }

        for (var i = 0; i < table.Count; i += step)
        {
            CheckGet(i);
        }

        if (step > 1 && (table.Count - 1) % step != 0)
        {
            CheckGet(table.Count - 1);
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
