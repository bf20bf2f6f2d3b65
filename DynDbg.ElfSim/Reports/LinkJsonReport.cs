using System.Text.Json;
using DynDbg.ElfSim.Linking;

namespace DynDbg.ElfSim.Reports;

/// <summary>
/// <c>link --format json</c>: what the link wrote, from the same result the ELF and the map are written from. The
/// output sections in order with the input sections each holds (file, section, offset, size, the script line or
/// orphan rule that placed it), the input sections left out and why, the output's symbols in .symtab order, and
/// the relocation tables.
/// </summary>
public static class LinkJsonReport
{
    public static void Write(Utf8JsonWriter j, LinkResult link, string output, string? map)
    {
        JsonArrays.StartDocument(j);
        j.WriteString("output", output);
        if (map is not null)
        {
            j.WriteString("map", map);
        }

        j.WriteString("script", link.Script.Name);
        j.WriteString("linkonce", link.Options.LinkOnce == LinkOnceRule.Lld ? "lld" : "gnu");
        JsonArrays.WriteStrings(j, "inputs", link.Inputs.Select(i => i.Path));
        j.WriteStartArray("sections");
        foreach (var o in link.Sections)
        {
            j.WriteStartObject();
            j.WriteString("name", o.Name);
            j.WriteNumber("type", o.WrittenType);
            j.WriteNumber("flags", o.WrittenFlags);
            j.WriteNumber("address", o.WrittenAddress);
            j.WriteNumber("size", o.Size);
            j.WriteNumber("alignment", o.WrittenAlignment);
            j.WriteStartArray("inputs");
            foreach (var s in o.Inputs)
            {
                j.WriteStartObject();
                j.WriteString("file", s.File.Path);
                j.WriteString("section", s.Name);
                j.WriteNumber("offset", s.OutputOffset);
                j.WriteNumber("size", s.Size);
                if (s.OrphanReason is { } why)
                {
                    j.WriteString("orphan", why);
                }

                j.WriteEndObject();
            }

            j.WriteEndArray();
            j.WriteEndObject();
        }

        j.WriteEndArray();
        j.WriteStartArray("discarded");
        foreach (var s in link.Inputs.SelectMany(i => i.Sections).Where(s => s.Discarded != DiscardReason.None))
        {
            j.WriteStartObject();
            j.WriteString("file", s.File.Path);
            j.WriteString("section", s.Name);
            j.WriteString("reason", s.Discarded.ToString());
            j.WriteEndObject();
        }

        j.WriteEndArray();
        j.WriteStartArray("symbols");
        foreach (var s in link.Symbols)
        {
            j.WriteStartObject();
            j.WriteString("name", s.Name);
            j.WriteNumber("value", s.Value);
            j.WriteNumber("size", s.Size);
            j.WriteNumber("binding", s.Binding);
            j.WriteNumber("type", s.Type);
            j.WriteNumber("other", s.Other);
            if (s.Section is { } sec)
            {
                j.WriteString("section", sec.Name);
            }
            else
            {
                j.WriteNumber("shndx", s.SpecialIndex);
            }

            j.WriteEndObject();
        }

        j.WriteEndArray();
        j.WriteStartArray("relocations");
        foreach (var t in link.Relocations)
        {
            j.WriteStartObject();
            j.WriteString("section", t.Target.Name);
            j.WriteBoolean("rela", t.IsRela);
            j.WriteNumber("count", t.Count);
            j.WriteEndObject();
        }

        j.WriteEndArray();
        j.WriteEndObject();
    }
}
