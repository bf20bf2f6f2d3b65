using System.Text.Json;
using DynDbg.ElfSim.Checks;
using DynDbg.ElfSim.DynDbg;
using DynDbg.ElfSim.Elf;
using DynDbg.ElfSim.Loading;

namespace DynDbg.ElfSim.Reports;

/// <summary><c>load --format json</c> on a diet image: the facts of <see cref="DietLoadTextReport"/> with stable keys.</summary>
public static class DietLoadJsonReport
{
    public static void Write(Utf8JsonWriter j, DietLoad load, IReadOnlyList<CheckFinding> findings)
    {
        var h = load.Memory.File.Header;
        var l = load.Layout;
        j.WriteStartObject();
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
        j.WriteString("header", DietLoadTextReport.HeaderNow(load));
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
            j.WriteString("indexRange", DietLoadTextReport.IndexRange(load, t));
            j.WriteString("verdict", DietLoadTextReport.Verdict(findings, t.ModName, l));
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
