namespace DynDbg.ElfSim.DynDbg;

/// <summary>
/// How much a site column repeats along the array: a record "repeats" when its value equals the previous
/// record's. Counted on string contents (what a reader sees) and on pointer identity (what RLE of the pointer
/// column can exploit). Percent is repeats / records.
/// </summary>
public sealed record ColumnRepetition(string Column, int Records, int Repeats, int Runs, int Distinct, int PointerRepeats)
{
    public double Percent => Records == 0 ? 0 : 100.0 * Repeats / Records;

    public static IReadOnlyList<ColumnRepetition> Measure(IReadOnlyList<DdebugRecord> records)
    {
        // One walk for the three columns: a lazy table decodes a record on each access (issue 14).
        var columns = new[] { new Counter("module"), new Counter("function"), new Counter("file") };
        DdebugRecord? previous = null;
        foreach (var r in records)
        {
            columns[0].Add(r.Modname, r.ModnameAt, previous?.Modname, previous?.ModnameAt);
            columns[1].Add(r.Function, r.FunctionAt, previous?.Function, previous?.FunctionAt);
            columns[2].Add(r.Filename, r.FilenameAt, previous?.Filename, previous?.FilenameAt);
            previous = r;
        }

        return columns.Select(c => new ColumnRepetition(c.Name, records.Count, c.Repeats, records.Count - c.Repeats, c.Distinct.Count, c.PointerRepeats)).ToArray();
    }

    private sealed class Counter(string name)
    {
        public string Name => name;
        public int Repeats { get; private set; }
        public int PointerRepeats { get; private set; }
        public HashSet<string> Distinct { get; } = new(StringComparer.Ordinal);

        public void Add(string value, Elf.ElfLocation at, string? previous, Elf.ElfLocation? previousAt)
        {
            Distinct.Add(value);
            Repeats += previous is not null && string.Equals(value, previous, StringComparison.Ordinal) ? 1 : 0;
            PointerRepeats += previousAt is { } p && p.Equals(at) ? 1 : 0;
        }
    }
}
