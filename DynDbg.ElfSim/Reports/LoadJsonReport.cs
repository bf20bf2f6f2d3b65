using System.Text.Json;
using DynDbg.ElfSim.Control;
using DynDbg.ElfSim.DynDbg;
using DynDbg.ElfSim.Elf;

namespace DynDbg.ElfSim.Reports;

/// <summary>
/// <c>load --format json</c>: one object per input with stable lowerCamel keys and numbers as numbers, in the
/// spirit of llvm-readobj's JSON (a <c>fileSummary</c> block first).
/// </summary>
public static class LoadJsonReport
{
    public static void Write(Utf8JsonWriter j, MainlineImage image, bool withControl)
    {
        var f = image.File;
        var h = f.Header;
        j.WriteStartObject();
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

}
