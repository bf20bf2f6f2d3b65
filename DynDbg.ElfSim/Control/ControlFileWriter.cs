using System.Text;
using DynDbg.ElfSim.DynDbg;

namespace DynDbg.ElfSim.Control;

/// <summary>
/// Renders <c>/proc/dynamic_debug/control</c> as a 6.1 kernel prints it (reference §3.2; invariants 25, 26, 29):
/// the header line, then tables in the order they were added, each table's records from the last to record 0.
/// </summary>
public static class ControlFileWriter
{
    public const string HeaderLine = "# filename:lineno [module]function flags format";

    /// <summary>Writes the whole file for tables added in the order given.</summary>
    public static void Write(TextWriter w, IEnumerable<DyndbgImage> imagesInLoadOrder, string trimPrefix = "")
    {
        w.Write(HeaderLine);
        w.Write('\n');
        foreach (var image in imagesInLoadOrder)
        {
            foreach (var table in image.Tables)
            {
                for (var i = table.First + table.Count - 1; i >= table.First; i--)
                {
                    WriteRecord(w, table, image.Records[i], trimPrefix);
                }
            }
        }
    }

    public static void WriteRecord(TextWriter w, DdebugTable table, DdebugRecord r, string trimPrefix)
    {
        w.Write(TrimPrefix(r.Filename, trimPrefix));
        w.Write(':');
        w.Write(r.LineNo.ToString(System.Globalization.CultureInfo.InvariantCulture));
        w.Write(" [");
        w.Write(table.ModName);
        w.Write(']');
        w.Write(r.Function);
        w.Write(" =");
        w.Write(ControlFlags.Describe(r.Flags));
        w.Write(" \"");
        w.Write(EscapeFormat(r.Format));
        w.Write('"');
        if (r.ClassId >= 0 && r.ClassId != DdebugLayout.DefaultClass)
        {
            var name = table.Classes.Select(c => c.NameOf(r.ClassId)).FirstOrDefault(n => n is not null);
            w.Write(name is not null ? $" class:{name}" : $" class unknown, _id:{r.ClassId}");
        }

        w.Write('\n');
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

        var sb = new StringBuilder(format.Length + 8);
        foreach (var c in format)
        {
            sb.Append(c switch
            {
                '\t' => "\\t",
                '\r' => "\\r",
                '\n' => "\\n",
                _ => c.ToString(),
            });
        }

        return sb.ToString();
    }

    /// <summary><c>trim_prefix</c>: drop the build-tree prefix only when the path starts with it.</summary>
    public static string TrimPrefix(string path, string prefix) =>
        prefix.Length > 0 && path.StartsWith(prefix, StringComparison.Ordinal) ? path[prefix.Length..] : path;

    public static string Render(IEnumerable<DyndbgImage> images, string trimPrefix = "")
    {
        var sw = new StringWriter(new StringBuilder()) { NewLine = "\n" };
        Write(sw, images, trimPrefix);
        return sw.ToString();
    }
}
