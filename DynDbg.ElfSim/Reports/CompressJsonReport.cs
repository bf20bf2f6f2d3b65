using System.Text.Json;
using DynDbg.ElfSim.Compression;

namespace DynDbg.ElfSim.Reports;

/// <summary>
/// <c>compress --format json</c>: one object per input with the keys (<c>file, records, pointerSize,
/// rawSiteBytes, stores[name, bytes, ratio, randomAccess, getNs, streamNs]</c>) and more, numbers as numbers,
/// null for what was not measured.
/// </summary>
public static class CompressJsonReport
{
    public static void Write(Utf8JsonWriter j, CompressionResult r, SiteStoreOptions options)
    {
        JsonArrays.StartDocument(j);
        j.WriteString("file", r.File);
        j.WriteNumber("inputs", r.Inputs);
        j.WriteNumber("records", r.Records);
        j.WriteNumber("pointerSize", r.PointerSize);
        j.WriteNumber("rawSiteBytes", r.RawSiteBytes);
        j.WriteStartArray("siteStrings");
        foreach (var s in r.Strings)
        {
            j.WriteStartObject();
            j.WriteString("column", s.Column);
            j.WriteNumber("strings", s.Strings);
            j.WriteNumber("bytes", s.Bytes);
            j.WriteNumber("siteOnlyStrings", s.SiteOnlyStrings);
            j.WriteNumber("siteOnlyBytes", s.SiteOnlyBytes);
            j.WriteEndObject();
        }

        j.WriteEndArray();
        j.WriteStartArray("stores");
        var best = r.Best;
        foreach (var s in r.Stores)
        {
            j.WriteStartObject();
            j.WriteString("name", s.Name);
            j.WriteNumber("bytes", s.Bytes);
            j.WriteNumber("ratio", Math.Round(s.Ratio, 6));
            j.WriteBoolean("randomAccess", s.RandomAccess);
            Number(j, "getNs", s.GetNs);
            Number(j, "streamNs", s.StreamNs);
            j.WriteNumber("savedBytes", s.SavedBytes);
            j.WriteNumber("dataBytes", s.Size.Data);
            j.WriteNumber("indexBytes", s.Size.Index);
            j.WriteNumber("dictionaryBytes", s.Size.Dictionary);
            j.WriteNumber("workspaceBytes", s.WorkspaceBytes);
            j.WriteBoolean("exact", s.Exact);
            j.WriteNumber("mismatches", s.Mismatches);
            j.WriteBoolean("best", s.Name == best);
            j.WriteString("detail", s.Detail);
            j.WriteEndObject();
        }

        j.WriteEndArray();
        if (r.Cache is { } c)
        {
            j.WriteStartObject("cache");
            j.WriteNumber("entryBytes", c.EntryBytes);
            j.WriteNumber("tableBytes", c.TableBytes);
            j.WriteNumber("allEnabledBytes", c.AllEnabledBytes);
            Number(j, "hitNs", c.HitNs);
            j.WriteEndObject();
        }
        else
        {
            j.WriteNull("cache");
        }

        j.WriteStartObject("parameters");
        j.WriteNumber("zstdLevel", options.ZstdLevel);
        j.WriteNumber("blockRecords", options.BlockRecords);
        j.WriteNumber("dictionaryCapacity", options.DictionaryCapacity);
        j.WriteNumber("stride", options.Stride);
        j.WriteNumber("budgetMs", options.Budget.TotalMilliseconds);
        j.WriteEndObject();
        // available: the zstd stores ran. library/version: what ran them (the zstd version, for either
        // implementation); problem: why the system's libzstd could not be loaded, whatever ran instead.
        var zstd = options.ZstdInUse;
        j.WriteStartObject("zstd");
        j.WriteBoolean("available", options.Zstd);
        j.WriteString("library", zstd.Library);
        j.WriteString("version", zstd.Version);
        if (ZstdLibrary.Problem is { } problem)
        {
            j.WriteString("problem", problem);
        }

        j.WriteString("implementation", zstd.Kind == ZstdChoice.System ? "system" : "managed");
        j.WriteString("description", zstd.Description);
        j.WriteEndObject();
        j.WriteEndObject();
    }

    private static void Number(Utf8JsonWriter j, string name, double? value)
    {
        if (value is { } v)
        {
            j.WriteNumber(name, Math.Round(v, 1));
        }
        else
        {
            j.WriteNull(name);
        }
    }
}
