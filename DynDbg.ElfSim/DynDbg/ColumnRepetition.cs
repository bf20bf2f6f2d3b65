namespace DynDbg.ElfSim.DynDbg;

/// <summary>
/// How much a site column repeats along the array: a record "repeats" when its value equals the previous
/// record's. Counted on string contents (what a reader sees) and on pointer identity (what RLE of the pointer
/// column can exploit). Percent is repeats / records.
/// </summary>
public sealed record ColumnRepetition(string Column, int Records, int Repeats, int Runs, int Distinct, int PointerRepeats)
{
    public double Percent => Records == 0 ? 0 : 100.0 * Repeats / Records;

    public static IReadOnlyList<ColumnRepetition> Measure(IReadOnlyList<DdebugRecord> records) =>
    [
        Of("module", records, r => r.Modname, r => r.ModnameAt),
        Of("function", records, r => r.Function, r => r.FunctionAt),
        Of("file", records, r => r.Filename, r => r.FilenameAt),
    ];

    private static ColumnRepetition Of<TId>(string name, IReadOnlyList<DdebugRecord> records, Func<DdebugRecord, string> value, Func<DdebugRecord, TId> id)
        where TId : struct
    {
        var repeats = 0;
        var pointerRepeats = 0;
        var distinct = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < records.Count; i++)
        {
            distinct.Add(value(records[i]));
            if (i > 0 && string.Equals(value(records[i]), value(records[i - 1]), StringComparison.Ordinal))
            {
                repeats++;
            }

            if (i > 0 && id(records[i]).Equals(id(records[i - 1])))
            {
                pointerRepeats++;
            }
        }

        return new ColumnRepetition(name, records.Count, repeats, records.Count - repeats, distinct.Count, pointerRepeats);
    }
}
