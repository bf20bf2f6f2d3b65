using System.Text.Json;
using DynDbg.ElfSim.Checks;
using DynDbg.ElfSim.DynDbg;

namespace DynDbg.ElfSim.Reports;

/// <summary>The <c>diet --format json</c> object: the transform's objects and, when linked, check's verdict object
/// for the linked image under <c>linked</c>.</summary>
public static class DietJsonReport
{
    public static void Write(Utf8JsonWriter j, DietTransformResult r, FileCheck? linked)
    {
        JsonArrays.StartDocument(j);
        j.WriteString("input", r.Input);
        j.WriteString("name", r.Name);
        j.WriteBoolean("module", r.IsModule);
        j.WriteString("layout", r.Layout.Name);
        j.WriteString("script", r.Script);
        j.WriteNumber("callsites", r.Callsites);
        j.WriteNumber("classedCallsites", r.ClassedCallsites);
        j.WriteStartArray("objects");
        foreach (var o in r.Objects)
        {
            j.WriteStartObject();
            j.WriteString("name", o.Name);
            j.WriteNumber("descriptors", o.Descriptors);
            j.WriteNumber("bytes", o.Bytes);
            j.WriteEndObject();
        }

        j.WriteEndArray();
        if (linked is not null)
        {
            j.WritePropertyName("linked");
            CheckReport.WriteJson(j, linked, document: false);
        }

        j.WriteEndObject();
    }
}
