using System.Globalization;
using DynDbg.ElfSim.Compression;

namespace DynDbg.ElfSim.Reports;

/// <summary>
/// <c>compress</c>'s human table per input, bloaty/bloat-o-meter style: one row per store with its bytes, ratio
/// to the raw site columns, bytes saved against mainline, random access, measured times and workspace; the best
/// store marked <c>*</c>; then how each store's bytes were counted and what the late-fetch cache costs.
/// </summary>
public static class CompressTextReport
{
    public static void Write(TextWriter w, CompressionResult r, SiteStoreOptions? options = null)
    {
        var inv = CultureInfo.InvariantCulture;
        w.WriteLine($"File:      {r.File}");
        if (r.Records == 0)
        {
            w.WriteLine("Records:   0 (no dyndbg callsites: nothing to compress)");
            return;
        }

        w.WriteLine(string.Create(inv, $"Records:   {r.Records}, {r.PointerSize}-byte pointers"));
        w.WriteLine(string.Create(inv, $"Sites:     {r.RawSiteBytes} bytes of site pointers ({r.Records} records x 3 x {r.PointerSize}): what mainline spends and every store replaces"));
        if (r.Strings.FirstOrDefault(s => s.Column == "all") is { } all)
        {
            w.WriteLine(string.Create(inv, $"Strings:   {all.Bytes} bytes in {all.Strings} strings behind them; {all.SiteOnlyBytes} bytes ({all.SiteOnlyStrings} strings) used only by site pointers"));
            var cols = r.Strings.Where(s => s.Column != "all").Select(s => string.Create(inv, $"{s.Column} {s.Bytes} ({s.SiteOnlyBytes} site-only)"));
            w.WriteLine($"           {string.Join(", ", cols)}; stores keep pointers, the strings stay where they are");
        }

        if (options is { Zstd: true })
        {
            w.WriteLine($"zstd:      {ZstdLine(options.ZstdInUse)}");
        }

        w.WriteLine();
        w.WriteLine("  store          bytes  ratio     saved  random     get ns   stream ns  workspace  exact");
        var best = r.Best;
        foreach (var s in r.Stores)
        {
            var mark = s.Name == best ? "*" : " ";
            var exact = s.Exact ? "yes" : string.Create(inv, $"NO ({s.Mismatches} records)");
            w.WriteLine(string.Create(inv,
                $"{mark} {s.Name,-10} {s.Bytes,9} {s.Ratio,6:F3} {s.SavedBytes,9}  {(s.RandomAccess ? "yes" : "no"),-6} {Ns(s.GetNs),10} {Ns(s.StreamNs),11} {s.WorkspaceBytes,10}  {exact}"));
        }

        w.WriteLine("  * fewest bytes among the exact stores; saved = site pointer bytes - store bytes");
        w.WriteLine();
        foreach (var s in r.Stores)
        {
            w.WriteLine($"  {s.Name,-10} {s.Detail}");
        }

        if (r.Cache is { } c)
        {
            w.WriteLine();
            w.WriteLine(string.Create(inv,
                $"Cache:     late fetch keeps {c.EntryBytes} bytes per enabled site (kmalloc class) + a {c.TableBytes}-byte hash table; all {r.Records} enabled and used: {c.AllEnabledBytes} bytes; hit {Ns(c.HitNs).Trim()} ns, miss = store get"));
        }
    }

    /// <summary>The implementation that ran the zstd stores; a managed one says why libzstd was not used, if it failed.</summary>
    public static string ZstdLine(IZstd zstd) =>
        zstd.Kind == ZstdChoice.Managed && ZstdLibrary.Problem is { } p ? $"{zstd.Description}; system {p}" : zstd.Description;

    /// <summary>Nanoseconds with one decimal below 100, whole above; "-" when not timed.</summary>
    public static string Ns(double? ns) => ns switch
    {
        null => "-",
        < 100 => ns.Value.ToString("F1", CultureInfo.InvariantCulture),
        _ => ns.Value.ToString("F0", CultureInfo.InvariantCulture),
    };
}
