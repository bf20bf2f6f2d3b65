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
    internal ControlSite(ControlTable table, DdebugRecord record, bool isDietHeader = false, bool hasSite = true)
    {
        IsDietHeader = isDietHeader;
        HasSite = hasSite;
        Table = table;
        Record = record;
        Flags = record.Flags;
        Key = record.KeyEnabled >= 0 ? new StaticKey(record.KeyEnabled, (record.KeyType & 1) != 0) : null;
        ClassId = record.ClassId < 0 ? DdebugLayout.DefaultClass : record.ClassId;
        Filename = Encoding.UTF8.GetBytes(record.Filename);
        Function = Encoding.UTF8.GetBytes(record.Function);
        Format = Encoding.UTF8.GetBytes(record.Format);
    }

    public ControlTable Table { get; }

    public DdebugRecord Record { get; }

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

    internal byte[] Filename { get; }

    internal byte[] Function { get; }

    internal byte[] Format { get; }

    /// <summary>
    /// Whether a <c>pr_debug</c> here reaches printk: with JUMP_LABEL the key decides (<c>__dynamic_pr_debug</c>
    /// does not look at the flags); without, <c>DYNAMIC_DEBUG_BRANCH</c> tests the p flag.
    /// </summary>
    public bool Prints => Key is { } k ? k.Enabled > 0 : (Flags & ControlFlags.Print) != 0;
}
