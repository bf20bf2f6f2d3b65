using System.Globalization;
using System.Text.Json;
using DynDbg.ElfSim.Compression;

namespace DynDbg.ElfSim.Reports;

/// <summary><c>compress --levels</c>: the zstd stores' sizes at every zstd level, as text, JSON or CSV.</summary>
public static class LevelCurveReport
{
    public sealed record Input(int Files, long Records, long RawSiteBytes, IReadOnlyList<ZstdLevelCurve.Point> Curve, SiteStoreOptions Options);

    public static void WriteText(TextWriter w, Input r)
    {
        w.WriteLine($"zstd level curve: {r.Files} input{(r.Files == 1 ? "" : "s")}, {r.Records} records, raw site columns {r.RawSiteBytes} bytes");
        w.WriteLine($"zstd:      {CompressTextReport.ZstdLine(r.Options.ZstdInUse)}");
        w.WriteLine($"options:   block {r.Options.BlockRecords} records, dictionary capacity {(r.Options.DictionaryCapacity == 0 ? "zdict.h's" : r.Options.DictionaryCapacity.ToString(CultureInfo.InvariantCulture))}");
        w.WriteLine();
        w.WriteLine("  level" + string.Concat(ZstdLevelCurve.Stores.Select(s => $"{s,12}")) + "  exact");
        var best = ZstdLevelCurve.Stores.ToDictionary(s => s, s => ZstdLevelCurve.Best(r.Curve, s), StringComparer.Ordinal);
        foreach (var p in r.Curve)
        {
            w.Write($"  {p.Level,5}");
            foreach (var s in ZstdLevelCurve.Stores)
            {
                var cell = p.Sizes[s].ToString(CultureInfo.InvariantCulture) + (best[s] == p.Level ? "*" : " ");
                w.Write($"{cell,12}");
            }

            w.WriteLine(p.Mismatches == 0 ? "  yes" : $"  NO ({p.Mismatches} records)");
        }

        w.WriteLine();
        w.WriteLine("best:      " + string.Join(", ", ZstdLevelCurve.Stores.Select(s =>
            $"{s} at level {best[s]} ({r.Curve[best[s] - 1].Sizes[s]} bytes; {r.Curve[r.Options.ZstdLevel - 1].Sizes[s]} at --level {r.Options.ZstdLevel})")));
    }

    public static void WriteJson(Utf8JsonWriter j, Input r)
    {
        JsonArrays.StartDocument(j);
        j.WriteNumber("inputs", r.Files);
        j.WriteNumber("records", r.Records);
        j.WriteNumber("rawSiteBytes", r.RawSiteBytes);
        j.WriteString("zstd", r.Options.ZstdInUse.Description);
        j.WriteNumber("blockRecords", r.Options.BlockRecords);
        j.WriteNumber("dictionaryCapacity", r.Options.DictionaryCapacity);
        j.WriteStartArray("levels");
        foreach (var p in r.Curve)
        {
            j.WriteStartObject();
            j.WriteNumber("level", p.Level);
            foreach (var s in ZstdLevelCurve.Stores)
            {
                j.WriteNumber(s, p.Sizes[s]);
            }

            j.WriteBoolean("exact", p.Mismatches == 0);
            j.WriteEndObject();
        }

        j.WriteEndArray();
        j.WriteStartObject("best");
        foreach (var s in ZstdLevelCurve.Stores)
        {
            j.WriteNumber(s, ZstdLevelCurve.Best(r.Curve, s));
        }

        j.WriteEndObject();
        j.WriteEndObject();
    }

    public static void WriteCsv(TextWriter w, Input r)
    {
        w.WriteLine("level," + string.Join(',', ZstdLevelCurve.Stores) + ",exact");
        foreach (var p in r.Curve)
        {
            w.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{p.Level},{string.Join(',', ZstdLevelCurve.Stores.Select(s => p.Sizes[s]))},{(p.Mismatches == 0 ? "true" : "false")}"));
        }
    }
}
