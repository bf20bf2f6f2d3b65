using System.Text.Json;
using DynDbg.ElfSim.Checks;
using DynDbg.ElfSim.Control;
using DynDbg.ElfSim.DynDbg;
using DynDbg.ElfSim.Elf;
using DynDbg.ElfSim.Loading;

namespace DynDbg.ElfSim.Reports;

/// <summary>
/// <c>load --format json</c>: one object per input with stable lowerCamel keys and numbers as numbers, in the
/// spirit of llvm-readobj's JSON (a <c>fileSummary</c> block first).
/// </summary>
public static class LoadJsonReport
{
    /// <summary>One input; a diet image's object has the facts of <see cref="LoadTextReport"/>'s diet report.</summary>
    public static void Write(Utf8JsonWriter j, LoadOutcome outcome, bool withControl)
    {
        switch (outcome.Image)
        {
            case MainlineImage m:
                WriteMainline(j, m, withControl);
                break;
            default:
                WriteDiet(j, outcome.Load!, outcome.Findings);
                break;
        }
    }

    private static void WriteMainline(Utf8JsonWriter j, MainlineImage image, bool withControl)
    {
        var f = image.File;
        var h = f.Header;
        JsonArrays.StartDocument(j);
        j.WriteStartObject("fileSummary");
        j.WriteString("file", f.Path);
        j.WriteString("format", FileFacts.FormatId(h));
        j.WriteString("arch", ElfMachineNames.Describe(h.Machine, h.Is64));
        j.WriteString("machine", ElfMachineNames.ElfName(h.Machine));
        j.WriteNumber("addressSize", h.PointerSize * 8);
        j.WriteString("type", FileFacts.TypeShort(h));
        j.WriteEndObject();
        j.WriteString("kind", image.Kind == ImageKind.Module ? "module" : "builtin");
        j.WriteString("kindReason", image.KindReason);
        if (image.Region is { } region && image.Decision is { } decision)
        {
            j.WriteStartObject("region");
            j.WriteString("origin", region.Origin);
            j.WriteNumber("section", region.Section.Index);
            j.WriteString("sectionName", region.Section.Name);
            j.WriteNumber("fileOffset", region.FileOffset);
            j.WriteNumber("address", region.Address);
            j.WriteNumber("size", region.Size);
            j.WriteEndObject();
            var l = decision.Layout;
            j.WriteStartObject("profile");
            j.WriteString("name", l.Name);
            j.WriteString("version", DdebugLayout.VersionName(l.Version));
            j.WriteNumber("recordSize", l.RecordSize);
            j.WriteNumber("pointerSize", l.PointerSize);
            j.WriteBoolean("bigEndian", l.BigEndian);
            j.WriteBoolean("jumpLabel", l.JumpLabel);
            j.WriteBoolean("forced", decision.Forced);
            JsonArrays.WriteStrings(j, "evidence", decision.Evidence);
            j.WriteEndObject();
        }
        else
        {
            j.WriteNull("region");
            j.WriteNull("profile");
        }

        j.WriteNumber("recordCount", image.Records.Count);
        j.WriteStartArray("tables");
        foreach (var t in image.Tables)
        {
            j.WriteStartObject();
            j.WriteString("module", t.ModName);
            j.WriteNumber("first", t.First);
            j.WriteNumber("count", t.Count);
            j.WriteStartArray("classMaps");
            foreach (var c in t.Classes)
            {
                j.WriteStartObject();
                j.WriteNumber("base", c.Base);
                j.WriteNumber("mapType", c.MapType);
                JsonArrays.WriteStrings(j, "classNames", c.ClassNames);
                j.WriteEndObject();
            }

            j.WriteEndArray();
            j.WriteEndObject();
        }

        j.WriteEndArray();
        j.WriteStartArray("columns");
        foreach (var c in ColumnRepetition.Measure(image.Records))
        {
            j.WriteStartObject();
            j.WriteString("column", c.Column);
            j.WriteNumber("repeats", c.Repeats);
            j.WriteNumber("percent", Math.Round(c.Percent, 2));
            j.WriteNumber("runs", c.Runs);
            j.WriteNumber("distinct", c.Distinct);
            j.WriteNumber("pointerRepeats", c.PointerRepeats);
            j.WriteEndObject();
        }

        j.WriteEndArray();
        j.WriteStartArray("records");
        foreach (var r in image.Records)
        {
            j.WriteStartObject();
            j.WriteNumber("index", r.Index);
            j.WriteNumber("fileOffset", r.FileOffset);
            j.WriteString("module", r.Modname);
            j.WriteString("function", r.Function);
            j.WriteString("file", r.Filename);
            j.WriteString("format", r.Format);
            j.WriteNumber("line", r.LineNo);
            if (r.ClassId >= 0)
            {
                j.WriteNumber("classId", r.ClassId);
            }

            j.WriteNumber("flags", r.Flags);
            j.WriteString("flagsText", ControlFlags.Describe(r.Flags));
            if (r.KeyEnabled >= 0)
            {
                j.WriteStartObject("key");
                j.WriteNumber("enabled", r.KeyEnabled);
                j.WriteNumber("type", r.KeyType);
                j.WriteEndObject();
            }

            j.WriteEndObject();
        }

        j.WriteEndArray();
        if (withControl)
        {
            JsonArrays.WriteStrings(j, "control", ControlFileWriter.Render([image]).Split('\n', StringSplitOptions.RemoveEmptyEntries));
        }

        j.WriteEndObject();
    }

    private static void WriteDiet(Utf8JsonWriter j, DietLoad load, IReadOnlyList<CheckFinding> findings)
    {
        var h = load.Memory.File.Header;
        var l = load.Layout;
        JsonArrays.StartDocument(j);
        j.WriteStartObject("fileSummary");
        j.WriteString("file", load.Path);
        j.WriteString("format", FileFacts.FormatId(h));
        j.WriteString("arch", ElfMachineNames.Describe(h.Machine, h.Is64));
        j.WriteString("type", FileFacts.TypeShort(h));
        j.WriteEndObject();
        j.WriteString("kind", load.BuiltIn ? "builtin" : "module");
        j.WriteStartObject("diet");
        j.WriteString("name", l.Name);
        j.WriteString("variant", DietLayout.VariantName(l.Variant));
        j.WriteNumber("recordSize", l.RecordSize);
        j.WriteNumber("siteSize", l.SiteSize);
        j.WriteNumber("headerSize", l.HeaderSize);
        j.WriteBoolean("jumpLabel", l.JumpLabel);
        JsonArrays.WriteStrings(j, "evidence", load.Evidence);
        j.WriteEndObject();
        Array(j, "descriptors", l.DescriptorSection, load.DescriptorWhere, load.DescriptorAddress, load.DescriptorBytes, load.NumDescs);
        Array(j, "sites", DietLayout.SiteSection, load.SiteWhere, load.SiteAddress, load.SiteBytes, load.NumSites);
        j.WriteNumber(load.BuiltIn ? "walked" : "numDebug", load.NumDebug);
        j.WriteString("header", LoadTextReport.HeaderNow(load));
        j.WriteStartArray("tables");
        foreach (var t in load.Tables)
        {
            j.WriteStartObject();
            j.WriteString("module", t.ModName);
            j.WriteNumber("first", t.First);
            j.WriteNumber("base", t.Base);
            j.WriteNumber("count", t.Count);
            j.WriteNumber("descriptorAddress", t.DescriptorAddress);
            j.WriteNumber("siteAddress", t.SiteAddress);
            j.WriteBoolean("headerAtAdd", t.HeaderFound);
            j.WriteString("headerNote", t.HeaderNote);
            j.WriteBoolean("created", t.Created);
            j.WriteString("indexRange", LoadTextReport.IndexRange(load, t));
            j.WriteString("verdict", LoadTextReport.Verdict(findings, t.ModName, l));
            j.WriteEndObject();
        }

        j.WriteEndArray();
        JsonArrays.WriteStrings(j, "log", load.Log);
        JsonArrays.WriteStrings(j, "notes", load.Notes);
        j.WriteBoolean("passed", !findings.Any(x => x.Severity == CheckSeverity.Error));
        CheckReport.WriteFindings(j, findings);
        j.WriteEndObject();
    }

    private static void Array(Utf8JsonWriter j, string key, string section, string where, ulong address, ulong bytes, int count)
    {
        j.WriteStartObject(key);
        j.WriteString("section", section);
        j.WriteString("where", where);
        j.WriteNumber("address", address);
        j.WriteNumber("bytes", bytes);
        j.WriteNumber("count", count);
        j.WriteEndObject();
    }
}
