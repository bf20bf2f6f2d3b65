namespace DynDbg.ElfSim.Elf;

/// <summary>
/// Who reads a value, for the "where" of an <see cref="ElfFormatException"/>: a fixed text, or
/// "record N of REGION, FIELD" put together only by <see cref="ToString"/>, i.e. only when an error is raised,
/// so a decoder walking thousands of records builds no strings on the way. A string converts implicitly.
/// </summary>
public readonly struct ElfWhere
{
    private readonly string? _text;
    private readonly string? _region;
    private readonly int _record;
    private readonly string? _field;
    private readonly ElfSection? _section;

    private ElfWhere(string? text, string? region, int record, string? field, ElfSection? section = null)
    {
        _text = text;
        _region = region;
        _record = record;
        _field = field;
        _section = section;
    }

    public static implicit operator ElfWhere(string text) => new(text, null, 0, null);

    /// <summary>"record <paramref name="record"/> of <paramref name="region"/>, <paramref name="field"/>".</summary>
    public static ElfWhere Record(int record, string region, string field) => new(null, region, record, field);

    /// <summary>"symbol [12] in section [3] '.symtab'": entry <paramref name="index"/> of a table, described only when an
    /// error needs it (a name read per symbol must not format a message per symbol).</summary>
    public static ElfWhere Entry(string kind, int index, ElfSection table) => new(null, kind, index, null, table);

    public override string ToString() =>
        _text ?? (_section is { } s ? $"{_region} [{_record}] in {s.Describe()}" : $"record {_record} of {_region}, {_field}");
}
