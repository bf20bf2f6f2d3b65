using System.Text;
using DynDbg.ElfSim.DynDbg;

namespace DynDbg.ElfSim.Control;

/// <summary>
/// One <c>struct _ddebug</c> as the running kernel holds it: the decoded record, its table, and the two things a
/// control write changes, <see cref="Flags"/> and the static <see cref="Key"/> (null without JUMP_LABEL). The
/// strings are kept as UTF-8 bytes too, because the kernel matches bytes.
/// </summary>
public sealed class ControlSite
{
    internal ControlSite(ControlTable table, IReadOnlyList<DdebugRecord> records, int index, bool isDietHeader = false, bool hasSite = true)
    {
        IsDietHeader = isDietHeader;
        HasSite = hasSite;
        Table = table;
        this.records = records;
        this.index = index;
        var record = records[index];
        Flags = record.Flags;
        Key = record.KeyEnabled >= 0 ? new StaticKey(record.KeyEnabled, (record.KeyType & 1) != 0) : null;
        ClassId = record.ClassId < 0 ? DdebugLayout.DefaultClass : record.ClassId;
        lineNo = record.LineNo;
        if (!record.ReadsFromFile)
        {
            filename = Encoding.UTF8.GetBytes(record.Filename);
            function = Encoding.UTF8.GetBytes(record.Function);
            format = Encoding.UTF8.GetBytes(record.Format);
        }
    }

    // The C strings a query matches against: the mapped file's own bytes where the record reads from it (a single
    // input stays mapped: a million sites cost no copies), else a copy made here.
    private readonly byte[]? filename, function, format;

    public ControlTable Table { get; }

    // The site keeps its place in the image's records, not the record: a lazy table decodes it again when asked,
    // so a million sites do not hold a million records (issue 14).
    private readonly IReadOnlyList<DdebugRecord> records;
    private readonly int index;

    public DdebugRecord Record => records[index];

    /// <summary>The 8-bit <c>flags</c> field.</summary>
    public uint Flags { get; internal set; }

    public StaticKey? Key { get; internal set; }

    /// <summary>Diet images: element 0 when it is the header pair (v5 18/28), which the control file hides (§6.12).</summary>
    public bool IsDietHeader { get; }

    /// <summary>
    /// Diet images: whether <c>ddebug_site_get</c> returns a site. False once <c>+D</c> deleted it (v5 12/28), or
    /// when a SITE_CHK descriptor's site pointer is NULL; file and function are then unknown (§6.3).
    /// </summary>
    public bool HasSite { get; internal set; }

    /// <summary><c>class_id</c>; images older than 6.1 have none and count as the default class 63.</summary>
    public int ClassId { get; }

    internal ReadOnlySpan<byte> Filename => filename ?? Record.FileBytes(Record.FilenameAt, "filename");

    internal ReadOnlySpan<byte> Function => function ?? Record.FileBytes(Record.FunctionAt, "function");

    /// <summary>The record's line number, kept: every query with a line range reads it.</summary>
    internal uint LineNo => lineNo;

    private readonly uint lineNo;

    internal ReadOnlySpan<byte> Format => format ?? Record.FileBytes(Record.FormatAt, "format");

    /// <summary>
    /// Whether a <c>pr_debug</c> here reaches printk: with JUMP_LABEL the key decides (<c>__dynamic_pr_debug</c>
    /// does not look at the flags); without, <c>DYNAMIC_DEBUG_BRANCH</c> tests the p flag.
    /// </summary>
    public bool Prints => Key is { } k ? k.Enabled > 0 : (Flags & ControlFlags.Print) != 0;
}
