using System.Text.Json;
using System.Xml.Linq;
using DynDbg.ElfSim.Checks;

namespace DynDbg.ElfSim.Reports;

/// <summary><c>check</c> output: text lines (elflint-like), JSON (one object per file), or JUnit XML (a test case per table).</summary>
public static class CheckReport
{
    public static void WriteText(TextWriter w, FileCheck c)
    {
        if (c.Unreadable is { } e)
        {
            w.WriteLine($"UNREADABLE {c.Path}");
            w.WriteLine("  " + e.OneLine);
            return;
        }

        var what = c.Kind switch
        {
            CheckedKind.Diet => $"diet {c.Profile}: {DietTables(c)}",
            CheckedKind.DietTransformed => $"mainline, transformed to diet {c.Profile} and linked: {DietTables(c)}",
            CheckedKind.Mainline => $"mainline {c.Profile}: {c.Tables.Count} table{(c.Tables.Count == 1 ? "" : "s")}, {c.Tables.Sum(t => t.Records)} records",
            _ => "no dyndbg table",
        };
        w.WriteLine($"{(c.Failed ? "FAIL" : "PASS")} {c.Path} ({what})");
        foreach (var f in c.Findings)
        {
            w.WriteLine("  " + f.OneLine(c.Path));
        }
    }

    public static void WriteSummary(TextWriter w, CheckTotals t) =>
        w.WriteLine($"checked {t.Files} files: {t.Passed} passed, {t.Failed} failed, {t.Unreadable} unreadable; {t.Hazards} hazards reported");

    /// <summary>
    /// <c>check --format json</c>. One file checked: its object, as before the summary existed, with the run's
    /// counts added as its <c>summary</c> member (a script reading <c>.passed</c> keeps working); when
    /// <c>--failures-only</c> hides that one file, the object has only <c>schemaVersion</c> and <c>summary</c>.
    /// Any other number of files: an array, one object per file shown, then one summary element
    /// (<c>kind: "summary"</c>, no <c>file</c> or <c>passed</c>, so <c>.[] | select(.passed == false)</c> skips it).
    /// </summary>
    public static string Json(IReadOnlyList<FileCheck> shown, CheckTotals totals) => JsonArrays.Text(j =>
    {
        if (totals.Files == 1)
        {
            JsonArrays.StartDocument(j);
            if (shown.Count == 1)
            {
                WriteFields(j, shown[0]);
            }

            j.WriteStartObject("summary");
            WriteTotals(j, totals);
            j.WriteEndObject();
            j.WriteEndObject();
            return;
        }

        j.WriteStartArray();
        foreach (var c in shown)
        {
            WriteJson(j, c);
        }

        JsonArrays.StartDocument(j);
        j.WriteString("kind", "summary");
        WriteTotals(j, totals);
        j.WriteEndObject();
        j.WriteEndArray();
    });

    /// <summary>The summary's counts: the array's last element, or a single file's <c>summary</c> member.</summary>
    private static void WriteTotals(Utf8JsonWriter j, CheckTotals totals)
    {
        j.WriteNumber("files", totals.Files);
        j.WriteNumber("passedFiles", totals.Passed);
        j.WriteNumber("failedFiles", totals.Failed);
        j.WriteNumber("errorFiles", totals.Unreadable);
        j.WriteNumber("findings", totals.Findings);
        j.WriteNumber("hazards", totals.Hazards);
        j.WriteStartObject("findingsById");
        foreach (var (id, n) in totals.FindingsById)
        {
            j.WriteNumber(id, n);
        }

        j.WriteEndObject();
        j.WriteNumber("seconds", Math.Round(totals.Elapsed.TotalSeconds, 3));
        j.WriteString("timestamp", totals.Started.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>One file's object: a document of its own (with <c>schemaVersion</c>) in check's array, or nested
    /// (<paramref name="document"/> false) as diet's <c>linked</c> verdict.</summary>
    public static void WriteJson(Utf8JsonWriter j, FileCheck c, bool document = true)
    {
        if (document)
        {
            JsonArrays.StartDocument(j);
        }
        else
        {
            j.WriteStartObject();
        }

        WriteFields(j, c);
        j.WriteEndObject();
    }

    private static void WriteFields(Utf8JsonWriter j, FileCheck c)
    {
        j.WriteString("file", c.Path);
        j.WriteString("kind", c.Kind.Name());
        j.WriteString("profile", c.Profile);
        j.WriteBoolean("passed", !c.Failed);
        j.WriteStartArray("tables");
        foreach (var (name, records) in c.Tables)
        {
            j.WriteStartObject();
            j.WriteString("module", name);
            j.WriteNumber("records", records);
            j.WriteEndObject();
        }

        j.WriteEndArray();
        WriteFindings(j, c.Findings);
        if (c.Unreadable is { } e)
        {
            j.WriteStartObject("error");
            j.WriteString("id", e.Id);
            j.WriteString("message", e.OneLine);
            j.WriteEndObject();
        }
    }

    /// <summary>Each table by name up to a handful; a built-in image with hundreds of slices is summed up instead.</summary>
    private static string DietTables(FileCheck c) => c.Tables.Count <= 8
        ? string.Join(", ", c.Tables.Select(t => $"{t.Name} ({t.Records} descriptors)"))
        : $"{c.Tables.Count} tables, {c.Tables.Sum(t => t.Records)} descriptors";

    /// <summary>The <c>findings</c> array: one object per finding with its ID, severity, reference and place.</summary>
    public static void WriteFindings(Utf8JsonWriter j, IEnumerable<CheckFinding> findings)
    {
        j.WriteStartArray("findings");
        foreach (var f in findings)
        {
            j.WriteStartObject();
            j.WriteString("id", f.Id);
            j.WriteString("severity", f.Severity == CheckSeverity.Error ? "error" : "hazard");
            j.WriteString("reference", f.Reference);
            j.WriteString("where", f.Where);
            j.WriteNumber("element", f.Element);
            j.WriteNumber("fileOffset", f.FileOffset);
            j.WriteString("message", f.Message);
            j.WriteEndObject();
        }

        j.WriteEndArray();
    }

    /// <summary>JUnit: one test case per table (a file without tables is one case), errors as failures,
    /// unreadable files as errors, hazards in system-out; <c>time</c> in seconds on every case (the file's check
    /// time shared among its tables) and on the suite, and the suite's <c>timestamp</c> (when the run started,
    /// ISO 8601 without a zone as the common JUnit XSD's xs:dateTime has it).</summary>
    public static string JUnit(IReadOnlyList<FileCheck> all, DateTime? started = null)
    {
        var cases = new List<XElement>();
        int failures = 0, errors = 0;
        foreach (var c in all)
        {
            var names = c.Tables.Count > 0 ? c.Tables.Select(t => t.Name).ToArray() : [c.Kind.Name()];
            foreach (var name in names)
            {
                var tc = new XElement("testcase", new XAttribute("classname", c.Path), new XAttribute("name", name),
                    new XAttribute("time", Seconds(c.Elapsed / names.Length)));
                if (c.Unreadable is { } e)
                {
                    errors++;
                    tc.Add(new XElement("error", new XAttribute("type", e.Id), new XAttribute("message", e.OneLine)));
                }
                else if (c.Findings.Where(f => f.Severity == CheckSeverity.Error).ToArray() is { Length: > 0 } errs)
                {
                    failures++;
                    tc.Add(new XElement("failure", new XAttribute("type", errs[0].Id), new XAttribute("message", errs[0].OneLine(c.Path)),
                        string.Join("\n", errs.Select(f => f.OneLine(c.Path)))));
                }

                var hazards = c.Findings.Where(f => f.Severity == CheckSeverity.Hazard).Select(f => f.OneLine(c.Path)).ToArray();
                if (hazards.Length > 0)
                {
                    tc.Add(new XElement("system-out", string.Join("\n", hazards)));
                }

                cases.Add(tc);
            }
        }

        var suite = new XElement("testsuite", new XAttribute("name", "dyndbg-elfsim check"), new XAttribute("tests", cases.Count),
            new XAttribute("failures", failures), new XAttribute("errors", errors),
            new XAttribute("time", Seconds(all.Aggregate(TimeSpan.Zero, (t, c) => t + c.Elapsed))),
            new XAttribute("timestamp", (started ?? DateTime.UtcNow).ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ss", System.Globalization.CultureInfo.InvariantCulture)),
            cases);
        return new XDocument(new XDeclaration("1.0", "utf-8", null), new XElement("testsuites", suite)).Declaration + "\n" +
               new XElement("testsuites", suite) + "\n";
    }

    private static string Seconds(TimeSpan t) => t.TotalSeconds.ToString("0.000", System.Globalization.CultureInfo.InvariantCulture);
}
