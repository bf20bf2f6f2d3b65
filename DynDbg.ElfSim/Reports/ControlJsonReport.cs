using System.Text.Json;
using DynDbg.ElfSim.Control;
using DynDbg.ElfSim.DynDbg;

namespace DynDbg.ElfSim.Reports;

/// <summary>
/// <c>control --format json</c>: one object with the inputs in load order, every write (text, length, return
/// code, errno name, matches, each query's result, log lines and, with <c>--steps</c>, the control file after
/// it), the final control file and, with <c>--sites</c>, every site's state.
/// </summary>
public static class ControlJsonReport
{
    public static void Write(Utf8JsonWriter j, IReadOnlyList<string> paths, IReadOnlyList<ControlImageSummary> images,
        DyndbgControl control,
        IReadOnlyList<KernelLogLine> bootLog, IReadOnlyList<ControlStep> steps, bool sites, int pid, bool inInterrupt)
    {
        JsonArrays.StartDocument(j);
        j.WriteString("flagLetters", control.Letters.Name);
        j.WriteNumber("verbose", control.Log.Verbose);
        j.WriteStartArray("inputs");
        for (var i = 0; i < images.Count; i++)
        {
            j.WriteStartObject();
            j.WriteString("file", paths[i]);
            j.WriteString("kind", images[i].Kind == ImageKind.Module ? "module" : "builtin");
            j.WriteNumber("records", images[i].Records);
            JsonArrays.WriteStrings(j, "tables", images[i].Tables);
            j.WriteEndObject();
        }

        j.WriteEndArray();
        JsonArrays.WriteStrings(j, "bootLog", bootLog.Select(l => l.Text));
        j.WriteStartArray("writes");
        foreach (var s in steps)
        {
            var r = s.Result;
            j.WriteStartObject();
            j.WriteNumber("write", s.Number);
            j.WriteString("text", s.Text);
            j.WriteNumber("length", r.Length);
            j.WriteNumber("rc", r.Rc);
            if (r.Failed)
            {
                j.WriteString("error", Errno.Name(r.Rc));
            }
            else
            {
                j.WriteNull("error");
            }

            j.WriteNumber("matches", r.Matches);
            j.WriteStartArray("queries");
            foreach (var q in r.Queries)
            {
                j.WriteStartObject();
                j.WriteNumber("index", q.Index);
                j.WriteString("text", q.Text);
                j.WriteNumber("rc", q.Rc);
                j.WriteEndObject();
            }

            j.WriteEndArray();
            JsonArrays.WriteStrings(j, "log", r.Log.Select(l => l.Text));
            if (s.Control is { } after)
            {
                JsonArrays.WriteStrings(j, "control", Lines(after));
            }

            j.WriteEndObject();
        }

        j.WriteEndArray();
        JsonArrays.WriteStrings(j, "control", Lines(ControlFileWriter.Render(control)));
        WriteRecords(j, control);
        if (sites)
        {
            WriteSites(j, control, pid, inInterrupt);
        }

        j.WriteEndObject();
    }

    /// <summary>
    /// <c>controlRecords</c>: the final control file's lines as records, in the same order as <c>control</c>, so a
    /// script reads fields instead of parsing <c>file:line [module]function =flags "format"</c>. The format is the
    /// string itself (JSON escapes it), not the kernel's escaped rendering; a diet record whose site was deleted has
    /// no file or function (null), as its line has none.
    /// </summary>
    private static void WriteRecords(Utf8JsonWriter j, DyndbgControl control)
    {
        j.WriteStartArray("controlRecords");
        foreach (var s in ControlFileWriter.ShownSites(control))
        {
            var r = s.Record;
            var withSite = control.Diet is null || s.HasSite;
            j.WriteStartObject();
            if (withSite)
            {
                j.WriteString("file", ControlFileWriter.TrimPrefix(r.Filename, control.TrimPrefix));
            }
            else
            {
                j.WriteNull("file");
            }

            j.WriteNumber("line", r.LineNo);
            j.WriteString("module", s.Table.ModName);
            if (withSite)
            {
                j.WriteString("function", r.Function);
            }
            else
            {
                j.WriteNull("function");
            }

            j.WriteString("flags", control.Letters.Describe(s.Flags));
            j.WriteString("format", r.Format);
            if (s.ClassId != DdebugLayout.DefaultClass)
            {
                j.WriteNumber("classId", s.ClassId);
                j.WriteString("class", s.Table.ClassName(s.ClassId));
            }

            j.WriteEndObject();
        }

        j.WriteEndArray();
    }

    private static void WriteSites(Utf8JsonWriter j, DyndbgControl control, int pid, bool inInterrupt)
    {
        j.WriteStartArray("sites");
        foreach (var s in control.SitesInControlOrder())
        {
            var r = s.Record;
            j.WriteStartObject();
            j.WriteString("module", s.Table.ModName);
            j.WriteNumber("index", r.Index);
            j.WriteString("file", r.Filename);
            j.WriteNumber("line", r.LineNo);
            j.WriteString("function", r.Function);
            j.WriteNumber("classId", s.ClassId);
            j.WriteNumber("flags", s.Flags);
            j.WriteString("flagsText", control.Letters.Describe(s.Flags));
            if (control.Diet is not null)
            {
                j.WriteBoolean("hasSite", s.HasSite);
                j.WriteBoolean("header", s.IsDietHeader);
            }

            if (s.Key is { } k)
            {
                j.WriteStartObject("key");
                j.WriteNumber("enabled", k.Enabled);
                j.WriteBoolean("initiallyTrue", k.InitiallyTrue);
                j.WriteString("instruction", k.Instruction);
                j.WriteEndObject();
            }
            else
            {
                j.WriteNull("key");
            }

            j.WriteBoolean("prints", s.Prints);
            j.WriteString("prefix", control.Prefix(s, pid, inInterrupt));
            j.WriteEndObject();
        }

        j.WriteEndArray();
    }

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
}
