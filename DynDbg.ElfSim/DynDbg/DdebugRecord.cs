using DynDbg.ElfSim.Elf;

namespace DynDbg.ElfSim.DynDbg;

/// <summary>
/// One decoded callsite. Strings are what the pointers point to; the <c>*At</c> locations identify the pointed-to
/// objects (two records point at one object exactly when their locations are equal: what RLE of the pointer column
/// sees). <see cref="ClassId"/> is -1 before 6.1; <see cref="KeyEnabled"/> is -1 without JUMP_LABEL.
/// A record read lazily from an image (<see cref="DdebugDecoder"/>) holds no strings: each is decoded from the
/// mapped file when asked for, so a million-record table costs no string memory (issue 14).
/// Equality is by value, strings included.
/// </summary>
public sealed record DdebugRecord
{
    private readonly ElfMemory? _memory;
    private readonly string? _origin;
    private string? _modname, _function, _filename, _format;
    private bool _kept;

    /// <summary>A record whose strings are already known (the diet image's walk builds these).</summary>
    public DdebugRecord(int index, ulong fileOffset, string modname, string function, string filename, string format,
        uint lineNo, int classId, uint flags, int keyEnabled, ulong keyType,
        ElfLocation modnameAt, ElfLocation functionAt, ElfLocation filenameAt, ElfLocation formatAt)
        : this(index, fileOffset, lineNo, classId, flags, keyEnabled, keyType, modnameAt, functionAt, filenameAt, formatAt)
    {
        _modname = modname;
        _function = function;
        _filename = filename;
        _format = format;
    }

    /// <summary>A record whose strings are read from <paramref name="memory"/> on demand (already checked).</summary>
    internal DdebugRecord(ElfMemory memory, string origin, int index, ulong fileOffset,
        uint lineNo, int classId, uint flags, int keyEnabled, ulong keyType,
        ElfLocation modnameAt, ElfLocation functionAt, ElfLocation filenameAt, ElfLocation formatAt)
        : this(index, fileOffset, lineNo, classId, flags, keyEnabled, keyType, modnameAt, functionAt, filenameAt, formatAt)
    {
        _memory = memory;
        _origin = origin;
    }

    private DdebugRecord(int index, ulong fileOffset, uint lineNo, int classId, uint flags, int keyEnabled, ulong keyType,
        ElfLocation modnameAt, ElfLocation functionAt, ElfLocation filenameAt, ElfLocation formatAt)
    {
        Index = index;
        FileOffset = fileOffset;
        LineNo = lineNo;
        ClassId = classId;
        Flags = flags;
        KeyEnabled = keyEnabled;
        KeyType = keyType;
        ModnameAt = modnameAt;
        FunctionAt = functionAt;
        FilenameAt = filenameAt;
        FormatAt = formatAt;
    }

    public int Index { get; }
    public ulong FileOffset { get; }
    public uint LineNo { get; }
    public int ClassId { get; }
    public uint Flags { get; }
    public int KeyEnabled { get; }
    public ulong KeyType { get; }
    public ElfLocation ModnameAt { get; }
    public ElfLocation FunctionAt { get; }
    public ElfLocation FilenameAt { get; }
    public ElfLocation FormatAt { get; }

    // Not cached on a lazy record: a control table holds its million records, and printing it must not leave a
    // million strings behind (KeepStrings is the way to keep them).
    public string Modname => _modname ?? Read(ModnameAt, "modname");
    public string Function => _function ?? Read(FunctionAt, "function");
    public string Filename => _filename ?? Read(FilenameAt, "filename");
    public string Format => _format ?? Read(FormatAt, "format");

    /// <summary>Decodes the four strings now, through the memory's shared cache (equal locations, one string).</summary>
    internal void KeepStrings()
    {
        _kept = true;
        if (_memory is { } m)
        {
            _modname ??= m.ReadString(ModnameAt, ElfWhere.Record(Index, _origin!, "modname"));
            _function ??= m.ReadString(FunctionAt, ElfWhere.Record(Index, _origin!, "function"));
            _filename ??= m.ReadString(FilenameAt, ElfWhere.Record(Index, _origin!, "filename"));
            _format ??= m.ReadString(FormatAt, ElfWhere.Record(Index, _origin!, "format"));
        }
    }

    /// <summary>True while the record reads its strings from the mapped file (not detached from it).</summary>
    internal bool ReadsFromFile => _memory is not null && !_kept;

    /// <summary>Where the strings are read from when <see cref="ReadsFromFile"/>.</summary>
    internal ElfMemory? Memory => ReadsFromFile ? _memory : null;

    /// <summary>The bytes of a string of this record in the mapped file, without its NUL (see <see cref="ReadsFromFile"/>).</summary>
    internal ReadOnlySpan<byte> FileBytes(ElfLocation at, string field) => _memory!.StringBytes(at, ElfWhere.Record(Index, _origin!, field));

    private string Read(ElfLocation at, string field) =>
        _memory!.ReadStringUncached(at, ElfWhere.Record(Index, _origin!, field));

    public bool Equals(DdebugRecord? other) =>
        other is not null && Index == other.Index && FileOffset == other.FileOffset && LineNo == other.LineNo &&
        ClassId == other.ClassId && Flags == other.Flags && KeyEnabled == other.KeyEnabled && KeyType == other.KeyType &&
        ModnameAt == other.ModnameAt && FunctionAt == other.FunctionAt && FilenameAt == other.FilenameAt && FormatAt == other.FormatAt &&
        Modname == other.Modname && Function == other.Function && Filename == other.Filename && Format == other.Format;

    public override int GetHashCode() => HashCode.Combine(Index, FileOffset, LineNo, Flags, FormatAt);
}
