using System.Text.Json;
using DynDbg.ElfSim.Compression.Zram;
using DynDbg.ElfSim.Compression.ZramPlan;

namespace DynDbg.ElfSim.Reports;

/// <summary>
/// <c>zram --format json</c>: one object per input (one for <c>--total</c>) with the contract —
/// <c>records, recordSize, zsPool{classSize, objectsPerZspage, pagesPerZspage, pages, bytes, handleBytes},
/// zram[{algorithm, origDataSize, comprDataSize, memUsedTotal, samePages}], oddPointers{records, byField{modname,
/// function, filename, format}}</c> — and more (docs/json.md, docs/schemas/zram.schema.json).
/// </summary>
public static class ZramJsonReport
{
    public static void Write(Utf8JsonWriter j, ZramPlanResult r, ZramPlanOptions options)
    {
        JsonArrays.StartDocument(j);
        j.WriteString("file", r.File);
        j.WriteNumber("inputs", r.Inputs);
        j.WriteString("kind", r.Kind);
        StringOrNull(j, "profile", r.Profile);

        j.WriteBoolean("jumpLabel", r.JumpLabel);
        j.WriteNumber("pointerSize", r.PointerSize);
        j.WriteNumber("records", r.Records);
        j.WriteNumber("recordSize", r.RecordSize);
        j.WriteNumber("tables", r.Tables);
        j.WriteNumber("dyndbgBytes", r.DyndbgBytes);
        j.WriteNumber("siteSize", r.SiteSize);
        j.WriteNumber("siteBytes", r.SitesBytes);
        if (r.Pool is { } p)
        {
            j.WriteStartObject("zsPool");
            j.WriteString("allocator", ZramPlanOptions.Name(p.Kind));
            j.WriteNumber("objectSize", p.ObjectSize);
            j.WriteNumber("zhandleBytes", p.ZhandleBytes);
            j.WriteNumber("classSize", p.Pool.ClassSize);
            j.WriteNumber("objectsPerZspage", p.Pool.ObjectsPerZspage);
            j.WriteNumber("pagesPerZspage", p.Pool.PagesPerZspage);
            j.WriteNumber("pages", p.Pool.Pages);
            j.WriteNumber("bytes", p.Pool.Bytes);
            j.WriteNumber("handleBytes", p.Pool.HandleBytes);
            j.WriteNumber("beforeBytes", p.BeforeBytes);
            j.WriteNumber("duringBytes", p.DuringBytes);
            j.WriteNumber("afterBytes", p.AfterBytes);
            j.WriteNumber("zhandleVectorBytes", p.ZhandleVectorBytes);
            j.WriteNumber("staticKeyBytes", p.StaticKeyBytes);
            j.WriteEndObject();
        }
        else
        {
            j.WriteNull("zsPool");
        }

        Devices(j, "zram", r.Zram);
        Devices(j, "zramSites", r.ZramSites);
        Devices(j, "zramLoaded", r.ZramLoaded);
        OddPointers(j, r.OddPointers);
        Cache(j, r.Cache, options);
        JsonArrays.WriteStrings(j, "failedQueries", r.FailedQueries);
        j.WriteEndObject();
    }

    private static void Devices(Utf8JsonWriter j, string name, IReadOnlyList<ZramStats> devices)
    {
        j.WriteStartArray(name);
        foreach (var s in devices)
        {
            j.WriteStartObject();
            j.WriteString("algorithm", s.Algorithm.Name());
            j.WriteString("implementation", ZramCompressor.Implementation(s.Algorithm));
            j.WriteNumber("origDataSize", s.OrigDataSize);
            j.WriteNumber("comprDataSize", s.ComprDataSize);
            j.WriteNumber("memUsedTotal", s.MemUsedTotal);
            j.WriteNumber("samePages", s.SamePages);
            j.WriteNumber("hugePages", s.HugePages);
            j.WriteNumber("pagesStored", s.PagesStored);
            j.WriteEndObject();
        }

        j.WriteEndArray();
    }

    private static void OddPointers(Utf8JsonWriter j, OddPointerResult o)
    {
        j.WriteStartObject("oddPointers");
        j.WriteNumber("records", o.Records);
        j.WriteStartObject("byField");
        j.WriteNumber("modname", o.Modname);
        j.WriteNumber("function", o.Function);
        j.WriteNumber("filename", o.Filename);
        j.WriteNumber("format", o.Format);
        j.WriteEndObject();
        j.WriteNumber("layoutDependent", o.LayoutDependent);
        j.WriteString("placement", o.Placement);
        j.WriteStartArray("first");
        foreach (var s in o.First)
        {
            j.WriteStartObject();
            j.WriteString("file", s.File);
            j.WriteNumber("index", s.Index);
            j.WriteString("filename", s.Filename);
            j.WriteNumber("line", s.Line);
            j.WriteString("function", s.Function);
            JsonArrays.WriteStrings(j, "fields", s.Fields);
            j.WriteEndObject();
        }

        j.WriteEndArray();
        if (o.Flag is { } f)
        {
            j.WriteStartObject("isZhandle");
            j.WriteNumber("bit", f.Bit);
            j.WriteNumber("freeFlagBits", f.FreeFlagBits);
            j.WriteNumber("paddingBytes", f.PaddingBytes);
            j.WriteNumber("costBytes", f.CostBytes);
            j.WriteNumber("misreadsByParity", f.MisreadsByParity);
            j.WriteNumber("misreadsWithFlag", f.MisreadsWithFlag);
            j.WriteEndObject();
        }
        else
        {
            j.WriteNull("isZhandle");
        }

        j.WriteEndObject();
    }

    private static void Cache(Utf8JsonWriter j, MapCacheResult c, ZramPlanOptions options)
    {
        j.WriteStartObject("cache");
        JsonArrays.WriteStrings(j, "queries", options.Queries ?? []);
        j.WriteNumber("keptRecords", c.KeptRecords);
        j.WriteNumber("keptBytes", c.KeptBytes);
        j.WriteNumber("catControlMaps", c.CatControlMaps);
        j.WriteStartObject("moduleQuery");
        StringOrNull(j, "module", c.Module);

        j.WriteNumber("records", c.ModuleRecords);
        j.WriteNumber("maps", c.ModuleMaps);
        j.WriteNumber("keptAfter", c.KeptAfterModule);
        j.WriteEndObject();
        j.WriteStartObject("hits");
        j.WriteNumber("calls", c.Hits);
        j.WriteNumber("seed", c.Seed);
        j.WriteNumber("onKept", c.HitsOnKept);
        j.WriteBoolean("jumpLabel", c.JumpLabel);
        j.WriteNumber("maps", c.HitMaps);
        j.WriteNumber("mapsWithoutCache", c.HitMapsWithoutCache);
        j.WriteNumber("mapsWithFlagsVector", c.HitMapsWithFlagsVector);
        j.WriteEndObject();
        j.WriteNumber("flagsVectorBytes", c.FlagsVectorBytes);
        j.WriteEndObject();
    }

    private static void StringOrNull(Utf8JsonWriter j, string name, string? value)
    {
        if (value is null)
        {
            j.WriteNull(name);
        }
        else
        {
            j.WriteString(name, value);
        }
    }
}
