using System.Globalization;
using DynDbg.ElfSim.Compression;

namespace DynDbg.ElfSim.Reports;

/// <summary>
/// <c>compress --format csv</c>: one header line, then one row per input and store (bloaty's choice of CSV for
/// long-term stability). Empty getNs/streamNs when not timed; inputs without records have no rows.
/// </summary>
public static class CompressCsvReport
{
    public const string Header =
        "file,records,pointerSize,rawSiteBytes,store,bytes,ratio,savedBytes,randomAccess,getNs,streamNs,dataBytes,indexBytes,dictionaryBytes,workspaceBytes,exact,best";

    public static void Write(TextWriter w, CompressionResult r)
    {
        if (r.Records == 0)
        {
            return;
        }

        var inv = CultureInfo.InvariantCulture;
        var best = r.Best;
        foreach (var s in r.Stores)
        {
            w.WriteLine(string.Create(inv,
                $"{Quote(r.File)},{r.Records},{r.PointerSize},{r.RawSiteBytes},{s.Name},{s.Bytes},{s.Ratio:F6},{s.SavedBytes},{Bool(s.RandomAccess)},{Ns(s.GetNs)},{Ns(s.StreamNs)},{s.Size.Data},{s.Size.Index},{s.Size.Dictionary},{s.WorkspaceBytes},{Bool(s.Exact)},{Bool(s.Name == best)}"));
        }
    }

    private static string Bool(bool b) => b ? "true" : "false";

    private static string Ns(double? ns) => ns is { } v ? v.ToString("F1", CultureInfo.InvariantCulture) : "";

    /// <summary>RFC 4180: quote a field with a comma, quote or line break, doubling inner quotes.</summary>
    public static string Quote(string field) =>
        field.IndexOfAny([',', '"', '\n', '\r']) < 0 ? field : $"\"{field.Replace("\"", "\"\"", StringComparison.Ordinal)}\"";
}
