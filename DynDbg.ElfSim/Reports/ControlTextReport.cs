using System.Globalization;
using System.Text;
using DynDbg.ElfSim.Control;

namespace DynDbg.ElfSim.Reports;

/// <summary>
/// Text output of <c>control</c> beyond the control file itself: step markers (one per write, with its return
/// code and kernel log lines), the failure lines for stderr, and the per-site state listing. Every marker line
/// starts with "### ", which no control-file line can (they start with a file name or "# filename").
/// </summary>
public static class ControlTextReport
{
    /// <summary>
    /// <c>--changed</c>: the control file's lines that differ between two renderings of the same tables (a write
    /// changes flags, never which sites there are), as <c>-before</c>/<c>+after</c> pairs in control-file order,
    /// then how many changed.
    /// </summary>
    public static void WriteChanged(TextWriter w, string before, string after)
    {
        var a = before.Split('\n');
        var b = after.Split('\n');
        var changed = 0;
        for (var i = 0; i < Math.Min(a.Length, b.Length); i++)
        {
            if (!string.Equals(a[i], b[i], StringComparison.Ordinal))
            {
                w.Write('-');
                w.WriteLine(a[i]);
                w.Write('+');
                w.WriteLine(b[i]);
                changed++;
            }
        }

        w.WriteLine($"# {changed} line{(changed == 1 ? "" : "s")} changed");
    }

    /// <summary><c>### write N: 'TEXT' rc=R</c>, then each log line as <c>### log: LINE</c>.</summary>
    public static void WriteStepHeader(TextWriter w, int number, string text, ControlWriteResult r)
    {
        w.Write($"### write {number}: '{Quote(text)}' rc={Rc(r.Rc)}\n");
        foreach (var line in r.Log)
        {
            w.Write($"### log: {line.Text}\n");
        }
    }

    /// <summary>The stderr line for a failed write: <c>control: write N 'TEXT': -EINVAL (-22)</c> (long texts cut).</summary>
    public static string FailureLine(int number, string text, ControlWriteResult r)
    {
        var shown = text.Length <= 120 ? $"'{Quote(text)}'" : $"'{Quote(text[..120])}…' ({r.Length} bytes)";
        return $"control: write {number} {shown}: {Rc(r.Rc)}";
    }

    /// <summary>A write's return: the byte count, or the errno name and number.</summary>
    public static string Rc(int rc) =>
        rc < 0 ? $"{Errno.Name(rc)} ({rc.ToString(CultureInfo.InvariantCulture)})" : rc.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// One line per site in control-file order: the control line's head, then the static key
    /// (<c>enabled/initial type</c>, the jump-site instruction), whether a <c>pr_debug</c> prints, and its prefix.
    /// </summary>
    public static void WriteSites(TextWriter w, DyndbgControl control, int pid, bool inInterrupt)
    {
        w.Write("### sites: file:line [module]function =flags key=enabled/initial insn=nop|jmp prints=yes|no prefix=\"…\"\n");
        foreach (var s in control.SitesInControlOrder())
        {
            var r = s.Record;
            var key = s.Key is { } k ? $"key={k.Enabled}/{(k.InitiallyTrue ? "true" : "false")} insn={k.Instruction}" : "key=- insn=-";
            // A diet site without its site info shows as in the control file; the header pair is marked.
            var head = !s.HasSite ? $"[{s.Table.ModName}]:{r.LineNo.ToString(CultureInfo.InvariantCulture)}"
                : $"{ControlFileWriter.TrimPrefix(r.Filename, control.TrimPrefix)}:{r.LineNo.ToString(CultureInfo.InvariantCulture)} [{s.Table.ModName}]{r.Function}";
            w.Write($"{(s.IsDietHeader ? "(header) " : "")}{head} ={control.Letters.Describe(s.Flags)} {key} prints={(s.Prints ? "yes" : "no")} " +
                $"prefix=\"{control.Prefix(s, pid, inInterrupt)}\"\n");
        }
    }

    /// <summary>A write's text on one line: backslash, newline, tab, CR and other control bytes escaped C-style.</summary>
    public static string Quote(string text)
    {
        var sb = new StringBuilder(text.Length + 8);
        foreach (var c in text)
        {
            sb.Append(c switch
            {
                '\\' => "\\\\",
                '\n' => "\\n",
                '\t' => "\\t",
                '\r' => "\\r",
                '\'' => "\\'",
                < ' ' or '\x7f' => $"\\x{(int)c:x2}",
                _ => c.ToString(),
            });
        }

        return sb.ToString();
    }
}
