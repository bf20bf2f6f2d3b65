using System.Globalization;
using System.Text;

namespace DynDbg.ElfSim.Control;

/// <summary>
/// <c>dynamic_emit_prefix</c> / <c>__dynamic_emit_prefix</c> (6.1, <c>PREFIX_SIZE 64</c>): the text a
/// <c>pr_debug</c> at a site puts before its message, from the site's decoration flags (reference §3.3).
/// </summary>
public static class MessagePrefix
{
    /// <summary><c>PREFIX_SIZE</c>; the prefix holds at most one byte less (the NUL).</summary>
    public const int Size = 64;

    /// <summary>
    /// <c>t</c> gives "[pid] " (or "&lt;intr&gt; " in interrupt context), then <c>m</c> "modname:", <c>f</c>
    /// "function:", <c>s</c> (later mainline only) "file:", <c>l</c> "line:", and one space if any of those wrote.
    /// The snprintf chain keeps the first 63 bytes. Empty when no decoration flag is set.
    /// </summary>
    public static string Emit(ControlSite site, FlagLetters letters, string trimPrefix, int pid, bool inInterrupt)
    {
        var r = site.Record;
        // Diet v5 14/28: modname and function come from the site, and only when there is one (§6.3).
        var flags = site.HasSite ? site.Flags : site.Flags & ~(ControlFlags.InclModname | ControlFlags.InclFuncname);
        return Emit(flags, r.Modname, r.Function, ControlFileWriter.TrimPrefix(r.Filename, trimPrefix), r.LineNo, letters, pid, inInterrupt);
    }

    /// <summary>The same from the fields a <c>struct _ddebug</c> holds (the file name already trimmed).</summary>
    public static string Emit(uint flags, string modname, string function, string filename, uint lineno, FlagLetters letters, int pid, bool inInterrupt)
    {
        if ((flags & letters.InclAny) == 0)
        {
            return "";
        }

        var sb = new StringBuilder();
        if ((flags & ControlFlags.InclTid) != 0)
        {
            sb.Append(inInterrupt ? "<intr> " : $"[{pid.ToString(CultureInfo.InvariantCulture)}] ");
        }

        var afterTid = sb.Length;
        if ((flags & ControlFlags.InclModname) != 0)
        {
            sb.Append(modname).Append(':');
        }

        if ((flags & ControlFlags.InclFuncname) != 0)
        {
            sb.Append(function).Append(':');
        }

        if ((flags & letters.InclAny & ControlFlags.InclSourcename) != 0)
        {
            sb.Append(filename).Append(':');
        }

        if ((flags & ControlFlags.InclLineno) != 0)
        {
            sb.Append(((int)lineno).ToString(CultureInfo.InvariantCulture)).Append(':');
        }

        if (sb.Length > afterTid)
        {
            sb.Append(' ');
        }

        var bytes = Encoding.UTF8.GetBytes(sb.ToString());
        return bytes.Length < Size ? sb.ToString() : Encoding.UTF8.GetString(bytes, 0, Size - 1);
    }
}
