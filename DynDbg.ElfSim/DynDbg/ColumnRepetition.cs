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
            columns[0].Add(r, r.Modname, r.ModnameAt, previous?.Modname, previous?.ModnameAt);
            columns[1].Add(r, r.Function, r.FunctionAt, previous?.Function, previous?.FunctionAt);
            columns[2].Add(r, r.Filename, r.FilenameAt, previous?.Filename, previous?.FilenameAt);
            previous = r;
        }

        return columns.Select(c => new ColumnRepetition(c.Name, records.Count, c.Repeats, records.Count - c.Repeats, c.Distinct, c.PointerRepeats)).ToArray();
    }

    private sealed class Counter(string name)
    {
        // Records that read from the mapped file (a lazy table) count distinct strings by location under a comparer of
        // the bytes there, kept records by their strings.
        private HashSet<string>? strings;
        private HashSet<Elf.ElfLocation>? places;

        public string Name => name;
        public int Repeats { get; private set; }
        public int PointerRepeats { get; private set; }
        public int Distinct => strings?.Count ?? places?.Count ?? 0;

        public void Add(DdebugRecord r, string value, Elf.ElfLocation at, string? previous, Elf.ElfLocation? previousAt)
        {
            if (r.Memory is { } memory && strings is null)
            {
                (places ??= new HashSet<Elf.ElfLocation>(new Elf.StringContentComparer(memory))).Add(at);
            }
            else
            {
                if (places is not null)
                {
                    throw new InvalidOperationException("a table mixes records kept and read from the file");
                }

                (strings ??= new HashSet<string>(StringComparer.Ordinal)).Add(value);
            }

            Repeats += previous is not null && string.Equals(value, previous, StringComparison.Ordinal) ? 1 : 0;
            PointerRepeats += previousAt is { } p && p.Equals(at) ? 1 : 0;
        }
    }
}
