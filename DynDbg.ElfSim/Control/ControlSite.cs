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
    internal ControlSite(ControlTable table, int index, bool isDietHeader = false, bool hasSite = true)
    {
        IsDietHeader = isDietHeader;
        HasSite = hasSite;
        Table = table;
        this.index = index;
        var record = table.Records[index];
        Flags = record.Flags;
        Key = record.KeyEnabled >= 0 ? new StaticKey(record.KeyEnabled, (record.KeyType & 1) != 0) : null;
        ClassId = record.ClassId < 0 ? DdebugLayout.DefaultClass : record.ClassId;
        lineNo = record.LineNo;
        if (!record.ReadsFromFile)
        {
            copies = new CopiedStrings(Encoding.UTF8.GetBytes(record.Filename), Encoding.UTF8.GetBytes(record.Function),
                Encoding.UTF8.GetBytes(record.Format));
        }
    }

    // A site is kept small (a million of them for a 1M-call-site vmlinux.o, issue 14): the table it belongs to, its
    // place in the table's records (a lazy table decodes the record again when asked), what a write changes, and
    // the few fields every query reads.
    private readonly int index;
    private readonly uint lineNo;
    private int keyEnabled;
    private bool hasKey, keyInitiallyTrue;

    // The C strings a query matches against: the mapped file's own bytes where the record reads from it (a single
    // input stays mapped: a million sites cost no copies), else a copy made here.
    private readonly CopiedStrings? copies;

    private sealed record CopiedStrings(byte[] Filename, byte[] Function, byte[] Format);

    public ControlTable Table { get; }

    public DdebugRecord Record => Table.Records[index];

    /// <summary>The 8-bit <c>flags</c> field.</summary>
    public uint Flags { get; internal set; }

    public StaticKey? Key
    {
        get => hasKey ? new StaticKey(keyEnabled, keyInitiallyTrue) : null;
        internal set
        {
            hasKey = value is not null;
            (keyEnabled, keyInitiallyTrue) = value is { } k ? (k.Enabled, k.InitiallyTrue) : (0, false);
        }
    }

    /// <summary>Diet images: element 0 when it is the header pair (v5 18/28), which the control file hides (§6.12).</summary>
    public bool IsDietHeader { get; }

    /// <summary>
    /// Diet images: whether <c>ddebug_site_get</c> returns a site. False once <c>+D</c> deleted it (v5 12/28), or
    /// when a SITE_CHK descriptor's site pointer is NULL; file and function are then unknown (§6.3).
    /// </summary>
    public bool HasSite { get; internal set; }

    /// <summary><c>class_id</c>; images older than 6.1 have none and count as the default class 63.</summary>
    public int ClassId { get; }

    internal ReadOnlySpan<byte> Filename => copies is { } c ? c.Filename : Record.FileBytes(Record.FilenameAt, "filename");

    internal ReadOnlySpan<byte> Function => copies is { } c ? c.Function : Record.FileBytes(Record.FunctionAt, "function");

    /// <summary>The record's line number, kept: every query with a line range reads it.</summary>
    internal uint LineNo => lineNo;

    internal ReadOnlySpan<byte> Format => copies is { } c ? c.Format : Record.FileBytes(Record.FormatAt, "format");

    /// <summary>
    /// Whether a <c>pr_debug</c> here reaches printk: with JUMP_LABEL the key decides (<c>__dynamic_pr_debug</c>
    /// does not look at the flags); without, <c>DYNAMIC_DEBUG_BRANCH</c> tests the p flag.
    /// </summary>
    public bool Prints => Key is { } k ? k.Enabled > 0 : (Flags & ControlFlags.Print) != 0;
}
