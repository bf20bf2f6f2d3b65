using System.Text.Json;

namespace DynDbg.ElfSim.Reports;

/// <summary>
/// <c>explain --format json</c>: the link as the report's panel 1 draws it (<see cref="LayoutView"/>, one model for
/// both): output sections in address order (non-allocated last) with their input sections, each with the script
/// line that placed it (or null) and <c>explain</c>'s reason, the element a <c>.gnu.linkonce.*</c> header became,
/// what was discarded and why, and the header lines of the text view.
/// </summary>
public static class ExplainJsonReport
{
    public static void Write(Utf8JsonWriter j, LayoutView l)
    {
        JsonArrays.StartDocument(j);
        j.WriteString("script", l.Script);
        j.WriteString("rule", l.Rule);
        JsonArrays.WriteStrings(j, "inputs", l.Files);
        j.WriteStartArray("outputSections");
        foreach (var o in l.Sections)
        {
            j.WriteStartObject();
            j.WriteString("name", o.Name);
            j.WriteNumber("address", o.Address);
            j.WriteNumber("size", o.Size);
            j.WriteBoolean("alloc", o.Alloc);
            if (o.ElementSize > 0)
            {
                j.WriteNumber("elementSize", o.ElementSize);
            }

            j.WriteStartArray("inputs");
            foreach (var i in o.Inputs)
            {
                Input(j, l, i, placed: true);
            }

            j.WriteEndArray();
            j.WriteEndObject();
        }

        j.WriteEndArray();
        j.WriteStartArray("discarded");
        foreach (var i in l.Discarded)
        {
            Input(j, l, i, placed: false);
        }

        j.WriteEndArray();
        JsonArrays.WriteStrings(j, "headers", l.HeaderNotes);
        j.WriteEndObject();
    }

    private static void Input(Utf8JsonWriter j, LayoutView l, InputSectionView i, bool placed)
    {
        j.WriteStartObject();
        j.WriteString("file", l.Files[i.File]);
        j.WriteString("section", i.Name);
        if (placed)
        {
            j.WriteNumber("offset", i.Offset);
        }

        j.WriteNumber("size", i.Size);
        j.WriteString("line", i.Line);
        j.WriteBoolean("orphan", i.Orphan);
        if (i.LinkOnce)
        {
            if (i.Element >= 0)
            {
                j.WriteNumber("element", i.Element);
            }
            else
            {
                j.WriteNull("element");
            }
        }

        j.WriteString("why", l.Reasons[i.Why]);
        j.WriteEndObject();
    }
}
