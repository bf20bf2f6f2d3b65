using System.Text.Json;
using DynDbg.ElfSim.Loading;

namespace DynDbg.ElfSim.Reports;

/// <summary>
/// <c>load FILE --sections</c>: every allocated section after the emulated 6.1 module load, with its region and
/// offset from the region's base, and its address when bases are given (what /sys/module/NAME/sections shows).
/// </summary>
public static class SectionsReport
{
    public static void WriteText(TextWriter w, string path, ModuleLayout layout, ulong? coreBase, ulong? initBase, IReadOnlyList<SectionDump>? dumps = null)
    {
        w.WriteLine($"File:      {path}");
        w.WriteLine($"Module:    {layout.ModuleName}");
        w.WriteLine($"Core:      0x{layout.CoreSize:x} bytes (text 0x{layout.CoreTextSize:x}, ro 0x{layout.CoreRoSize:x}, ro_after_init 0x{layout.CoreRoAfterInitSize:x})");
        w.WriteLine($"Init:      0x{layout.InitSize:x} bytes (text 0x{layout.InitTextSize:x}, ro 0x{layout.InitRoSize:x})");
        w.WriteLine($"Sysfs:     coresize {layout.CoreSize}, initsize {layout.InitSize} until do_init_module frees the init region, then 0");
        if (layout.CoreReserved > 0)
        {
            w.WriteLine($"Reserved:  0x{layout.CoreReserved:x} bytes at core+0, before the first section (module_frob_arch_sections: GOT and PLT)");
        }
        foreach (var n in layout.Notes)
        {
            w.WriteLine($"Note:      {n}");
        }

        var width = Math.Max(4, layout.Sections.Max(s => s.Name.Length));
        var withAddress = coreBase is not null;
        w.WriteLine();
        w.WriteLine($"  [Nr] {"Name".PadRight(width)} Region Pass           Offset   Size     Align{(withAddress ? "  Address" : "")}");
        foreach (var s in layout.Sections)
        {
            var address = withAddress ? $"  0x{s.AddressFrom(coreBase!.Value, initBase ?? 0):x16}" : "";
            w.WriteLine($"  [{s.Index,2}] {s.Name.PadRight(width)} {(s.Region == ModuleRegion.Core ? "core" : "init"),-6} {s.Pass,-14} {s.Offset:x8} {s.Size:x8} {s.Align,5}{address}");
        }

        foreach (var d in dumps ?? [])
        {
            WriteDump(w, d);
        }
    }

    /// <summary>readelf -x's layout: the address, four big-endian-looking groups of four bytes in memory order, the ASCII.</summary>
    private static void WriteDump(TextWriter w, SectionDump d)
    {
        w.WriteLine();
        w.WriteLine($"Hex dump of section '{d.Name}' as loaded at 0x{d.Address:x}:");
        foreach (var n in d.Notes)
        {
            w.WriteLine($"  Note: {n}");
        }

        var line = new System.Text.StringBuilder(80);
        for (var at = 0; at < d.Bytes.Length; at += 16)
        {
            line.Clear().Append($"  0x{d.Address + (ulong)at:x16} ");
            for (var k = 0; k < 16; k++)
            {
                line.Append(at + k < d.Bytes.Length ? d.Bytes[at + k].ToString("x2", System.Globalization.CultureInfo.InvariantCulture) : "  ");
                if (k % 4 == 3)
                {
                    line.Append(' ');
                }
            }

            for (var k = 0; k < 16 && at + k < d.Bytes.Length; k++)
            {
                var b = d.Bytes[at + k];
                line.Append(b is >= 0x20 and < 0x7f ? (char)b : '.');
            }

            w.WriteLine(line.ToString());
        }
    }

    public static void WriteJson(Utf8JsonWriter j, string path, ModuleLayout layout, ulong? coreBase, ulong? initBase, IReadOnlyList<SectionDump>? dumps = null)
    {
        JsonArrays.StartDocument(j);
        j.WriteString("file", path);
        j.WriteString("module", layout.ModuleName);
        j.WriteStartObject("core");
        j.WriteNumber("size", layout.CoreSize);
        j.WriteNumber("textSize", layout.CoreTextSize);
        j.WriteNumber("roSize", layout.CoreRoSize);
        j.WriteNumber("roAfterInitSize", layout.CoreRoAfterInitSize);
        j.WriteNumber("reserved", layout.CoreReserved);
        j.WriteEndObject();
        j.WriteStartObject("init");
        j.WriteNumber("size", layout.InitSize);
        j.WriteNumber("textSize", layout.InitTextSize);
        j.WriteNumber("roSize", layout.InitRoSize);
        j.WriteEndObject();
        // what /sys/module/<name>/coresize and initsize read, in decimal: initsize only while init runs
        j.WriteStartObject("sysfs");
        j.WriteNumber("coresize", layout.CoreSize);
        j.WriteNumber("initsize", 0);
        j.WriteNumber("initsizeDuringInit", layout.InitSize);
        j.WriteEndObject();
        JsonArrays.WriteStrings(j, "notes", layout.Notes);
        j.WriteStartArray("sections");
        foreach (var s in layout.Sections)
        {
            j.WriteStartObject();
            j.WriteNumber("index", s.Index);
            j.WriteString("name", s.Name);
            j.WriteString("region", s.Region == ModuleRegion.Core ? "core" : "init");
            j.WriteString("pass", s.Pass);
            j.WriteNumber("offset", s.Offset);
            j.WriteNumber("size", s.Size);
            j.WriteNumber("align", s.Align);
            j.WriteBoolean("inSysfs", s.InSysfs);
            if (coreBase is { } cb)
            {
                j.WriteNumber("address", s.AddressFrom(cb, initBase ?? 0));
            }

            j.WriteEndObject();
        }

                j.WriteEndArray();
        if (dumps is { Count: > 0 })
        {
            j.WriteStartArray("dumps");
            foreach (var d in dumps)
            {
                j.WriteStartObject();
                j.WriteString("section", d.Name);
                j.WriteNumber("address", d.Address);
                j.WriteString("bytes", Convert.ToHexStringLower(d.Bytes));
                JsonArrays.WriteStrings(j, "notes", d.Notes);
                j.WriteEndObject();
            }

            j.WriteEndArray();
        }

        j.WriteEndObject();
    }
}
