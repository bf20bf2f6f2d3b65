using System.Text.Encodings.Web;
using System.Text.Json;
using DynDbg.ElfSim.Checks;

namespace DynDbg.ElfSim.Reports;

/// <summary>
/// <c>check</c> in the forms CI systems read natively: SARIF 2.1.0 (GitHub code scanning, GitLab, Azure DevOps;
/// one rule per DDG/DDH ID, each result located by file, section and byte offset) and GitHub workflow annotations
/// (<c>::error file=…,title=…::message</c>). Errors are SARIF <c>error</c>, hazards <c>warning</c>; a file that
/// could not be read is a result under its ELF/DYN/USG ID.
/// </summary>
public static class CheckCiReport
{
    public const string SarifVersion = "2.1.0";
    public const string SarifSchema = "https://json.schemastore.org/sarif-2.1.0.json";

    public static string Sarif(IReadOnlyList<FileCheck> all, string toolVersion) => JsonArrays.Text(j =>
    {
        var ruleIds = all.SelectMany(c => c.Findings.Select(f => f.Id))
            .Concat(all.Where(c => c.Unreadable is not null).Select(c => c.Unreadable!.Id))
            .Distinct().Order(StringComparer.Ordinal).ToList();
        j.WriteStartObject();
        j.WriteString("$schema", SarifSchema);
        j.WriteString("version", SarifVersion);
        j.WriteStartArray("runs");
        j.WriteStartObject();
        j.WriteStartObject("tool");
        j.WriteStartObject("driver");
        j.WriteString("name", "dyndbg-elfsim");
        j.WriteString("semanticVersion", toolVersion);
        j.WriteStartArray("rules");
        foreach (var id in ruleIds)
        {
            j.WriteStartObject();
            j.WriteString("id", id);
            j.WriteStartObject("shortDescription");
            j.WriteString("text", CheckIds.Title(id));
            j.WriteEndObject();
            if (CheckIds.Reference(id) is var reference && reference != "?")
            {
                j.WriteStartObject("properties");
                j.WriteString("reference", reference);
                j.WriteEndObject();
            }

            j.WriteEndObject();
        }

        j.WriteEndArray();
        j.WriteEndObject();
        j.WriteEndObject();
        j.WriteStartArray("results");
        foreach (var c in all)
        {
            if (c.Unreadable is { } e)
            {
                Result(j, e.Id, ruleIds.IndexOf(e.Id), "error", e.OneLine, c.Path, e.Offset, e.Where);
            }

            foreach (var f in c.Findings)
            {
                Result(j, f.Id, ruleIds.IndexOf(f.Id), f.Severity == CheckSeverity.Error ? "error" : "warning",
                    f.OneLine(c.Path), c.Path, f.FileOffset, f.Element >= 0 ? $"{f.Where} element {f.Element}" : f.Where);
            }
        }

        j.WriteEndArray();
        j.WriteEndObject();
        j.WriteEndArray();
        j.WriteEndObject();
    });

    private static void Result(Utf8JsonWriter j, string id, int ruleIndex, string level, string message, string path, ulong? offset, string where)
    {
        j.WriteStartObject();
        j.WriteString("ruleId", id);
        j.WriteNumber("ruleIndex", ruleIndex);
        j.WriteString("level", level);
        j.WriteStartObject("message");
        j.WriteString("text", message);
        j.WriteEndObject();
        j.WriteStartArray("locations");
        j.WriteStartObject();
        j.WriteStartObject("physicalLocation");
        j.WriteStartObject("artifactLocation");
        j.WriteString("uri", ArtifactUri(path));
        j.WriteEndObject();
        if (offset is { } off)
        {
            j.WriteStartObject("region");
            j.WriteNumber("byteOffset", off);
            j.WriteEndObject();
        }

        j.WriteEndObject();
        if (where.Length > 0)
        {
            j.WriteStartArray("logicalLocations");
            j.WriteStartObject();
            j.WriteString("fullyQualifiedName", where);
            j.WriteString("kind", "member");
            j.WriteEndObject();
            j.WriteEndArray();
        }

        j.WriteEndObject();
        j.WriteEndArray();
        j.WriteEndObject();
    }

    /// <summary>A relative path stays relative (SARIF resolves it against the checkout); an absolute one becomes a file URI.</summary>
    private static string ArtifactUri(string path) =>
        Path.IsPathRooted(path) ? new Uri(path).AbsoluteUri : string.Join('/', path.Split(Path.DirectorySeparatorChar).Select(Uri.EscapeDataString));

    /// <summary>One workflow command per finding: <c>::error</c> for errors and unreadable files, <c>::warning</c> for hazards.</summary>
    public static void WriteGitHub(TextWriter w, FileCheck c)
    {
        if (c.Unreadable is { } e)
        {
            w.WriteLine($"::error file={Property(c.Path)},title={Property(e.Id)}::{Data(e.OneLine)}");
        }

        foreach (var f in c.Findings)
        {
            var kind = f.Severity == CheckSeverity.Error ? "error" : "warning";
            w.WriteLine($"::{kind} file={Property(c.Path)},title={Property($"{f.Id} {CheckIds.Title(f.Id)}")}::{Data(f.OneLine(c.Path))}");
        }
    }

    // The escapes of @actions/core's command.ts: data escapes % CR LF; properties also : and ,.
    private static string Data(string s) => s.Replace("%", "%25", StringComparison.Ordinal).Replace("\r", "%0D", StringComparison.Ordinal)
        .Replace("\n", "%0A", StringComparison.Ordinal);

    private static string Property(string s) => Data(s).Replace(":", "%3A", StringComparison.Ordinal).Replace(",", "%2C", StringComparison.Ordinal);
}
