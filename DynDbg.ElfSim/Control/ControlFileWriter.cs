using System.Globalization;
using System.Text;
using DynDbg.ElfSim.DynDbg;

namespace DynDbg.ElfSim.Control;

/// <summary>
/// Renders <c>/proc/dynamic_debug/control</c> as 6.1 <c>ddebug_proc_show</c> prints it (reference §3.2;
/// invariants 25, 26, 29): the header line, then tables in list order, each table's sites from the last to 0.
/// </summary>
public static class ControlFileWriter
{
    public const string HeaderLine = "# filename:lineno [module]function flags format";

    /// <summary>Diet v5 10/28's two header lines: sites with and without their site info (§6.3, invariant 27).</summary>
    public const string DietHeaderLines = "#: filename:lineno [module]function flags format\n#| [module]:lineno flags format";

    /// <summary>The control file of a kernel in the state <paramref name="control"/> holds.</summary>
    public static void Write(TextWriter w, DyndbgControl control)
    {
        if (control.Diet is not null)
        {
            WriteDiet(w, control);
            return;
        }

        w.Write(HeaderLine);
        w.Write('\n');
        foreach (var site in ShownSites(control))
        {
            WriteSite(w, site, control.Letters, control.TrimPrefix);
        }
    }

    /// <summary>The sites that have a line in the control file, in its order: all of them, except that a diet
    /// image's header pair with its site info prints nothing (v5 10/28).</summary>
    public static IEnumerable<ControlSite> ShownSites(DyndbgControl control) =>
        control.Diet is null ? control.SitesInControlOrder() : control.SitesInControlOrder().Where(s => !(s.IsDietHeader && s.HasSite));

    /// <summary>The control file right after the images are loaded in the order given (no query yet).</summary>
    public static void Write(TextWriter w, IEnumerable<MainlineImage> imagesInLoadOrder, string trimPrefix = "") =>
        Write(w, Boot(imagesInLoadOrder, trimPrefix));

    /// <summary>One line: <c>"%s:%u [%s]%s =%s \""</c>, the escaped format, <c>"</c>, the class when not default.</summary>
    public static void WriteSite(TextWriter w, ControlSite site, FlagLetters letters, string trimPrefix)
    {
        var r = site.Record;
        WriteHead(w, site, trimPrefix);
        w.Write(" =");
        w.Write(letters.Describe(site.Flags));
        w.Write(" \"");
        WriteEscapedFormat(w, r.Format);
        w.Write('"');
        if (site.ClassId != DdebugLayout.DefaultClass)
        {
            var name = site.Table.ClassName(site.ClassId);
            w.Write(name is not null ? $" class:{name}" : $" class unknown, _id:{site.ClassId}");
        }

        w.Write('\n');
    }

    /// <summary>
    /// Diet v5 <c>ddebug_proc_show</c> (10/28, 23/28): the two header lines, then per site nothing for the header
    /// pair, <c>"%s:%u [%s]%s =%s \""</c> with a site, <c>"[%s]:%u =%s \""</c> without one, the format escaped
    /// as 5.13 <c>seq_escape</c> does, <c>"\n</c>. No class suffix: 5.13 has no classes.
    /// </summary>
    private static void WriteDiet(TextWriter w, DyndbgControl control)
    {
        w.Write(DietHeaderLines);
        w.Write('\n');
        foreach (var site in ShownSites(control))
        {
            var r = site.Record;
            if (site.HasSite)
            {
                WriteHead(w, site, control.TrimPrefix);
            }
            else
            {
                w.Write('[');
                w.Write(site.Table.ModName);
                w.Write("]:");
                w.Write(r.LineNo.ToString(CultureInfo.InvariantCulture));
            }

            w.Write(" =");
            w.Write(control.Letters.Describe(site.Flags));
            w.Write(" \"");
            w.Write(EscapeFormatOctal(r.Format));
            w.Write("\"\n");
        }
    }

    /// <summary><c>"%s:%u [%s]%s"</c>: trimmed file name, line, table, function.</summary>
    private static void WriteHead(TextWriter w, ControlSite site, string trimPrefix)
    {
        w.Write(TrimPrefix(site.Record.Filename, trimPrefix));
        w.Write(':');
        w.Write(site.Record.LineNo.ToString(CultureInfo.InvariantCulture));
        w.Write(" [");
        w.Write(site.Table.ModName);
        w.Write(']');
        w.Write(site.Record.Function);
    }

    /// <summary>
    /// 5.1x <c>seq_escape(m, fmt, "\t\r\n\"")</c>: those four bytes as three-digit octal (<c>\011 \015 \012
    /// \042</c>), everything else raw (§3.2; v5 12/28's example shows <c>"    %s\012"</c>).
    /// </summary>
    public static string EscapeFormatOctal(string format)
    {
        if (format.AsSpan().IndexOfAny("\t\r\n\"") < 0)
        {
            return format;
        }

        var sb = new StringBuilder(format.Length + 8);
        foreach (var c in format)
        {
            sb.Append(c is '\t' or '\r' or '\n' or '"' ? "\\" + Convert.ToString(c, 8).PadLeft(3, '0') : c.ToString());
        }

        return sb.ToString();
    }

    /// <summary>
    /// 6.1 <c>seq_escape_str(m, fmt, ESCAPE_SPACE, "\t\r\n\"")</c>: tab, CR and LF become C escapes; the quote is
    /// in the "only" set but ESCAPE_SPACE has no rule for it, so it is printed raw, like every other byte.
    /// </summary>
    public static string EscapeFormat(string format)
    {
        if (format.AsSpan().IndexOfAny('\t', '\r', '\n') < 0)
        {
            return format;
        }

        var w = new StringWriter();
        WriteEscapedFormat(w, format);
        return w.ToString();
    }

    /// <summary><see cref="EscapeFormat"/> written out piece by piece: almost every format ends in a newline, and
    /// building each escaped copy was a twentieth of <c>load --control vmlinux.o</c>.</summary>
    private static void WriteEscapedFormat(TextWriter w, string format)
    {
        var rest = format.AsSpan();
        for (int k; (k = rest.IndexOfAny('\t', '\r', '\n')) >= 0; rest = rest[(k + 1)..])
        {
            w.Write(rest[..k]);
            w.Write(rest[k] switch
            {
                '\t' => "\\t",
                '\r' => "\\r",
                _ => "\\n",
            });
        }

        w.Write(rest);
    }

    /// <summary><c>trim_prefix</c>: drop the build-tree prefix only when the path starts with it.</summary>
    public static string TrimPrefix(string path, string prefix) =>
        prefix.Length > 0 && path.StartsWith(prefix, StringComparison.Ordinal) ? path[prefix.Length..] : path;

    public static string Render(DyndbgControl control)
    {
        var sw = new StringWriter(new StringBuilder()) { NewLine = "\n" };
        Write(sw, control);
        return sw.ToString();
    }

    public static string Render(IEnumerable<MainlineImage> images, string trimPrefix = "") => Render(Boot(images, trimPrefix));

    private static DyndbgControl Boot(IEnumerable<MainlineImage> images, string trimPrefix)
    {
        var control = new DyndbgControl(trimPrefix: trimPrefix);
        foreach (var image in images)
        {
            control.Load(image);
        }

        return control;
    }
}
