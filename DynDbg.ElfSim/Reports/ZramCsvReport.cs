using System.Globalization;
using DynDbg.ElfSim.Compression.Zram;
using DynDbg.ElfSim.Compression.ZramPlan;

namespace DynDbg.ElfSim.Reports;

/// <summary>
/// <c>zram --format csv</c>: one header line, then one row per input, data (records, loaded or sites) and algorithm, the
/// input's pool, odd-pointer and cache figures repeated on each (as compress repeats its input's columns per
/// store). With <c>--no-zram</c>, one row per input with the device columns empty; inputs without records have no rows.
/// </summary>
public static class ZramCsvReport
{
    public const string Header =
        "file,records,recordSize,objectSize,classSize,poolPages,poolBytes,handleBytes,beforeBytes,duringBytes,afterBytes," +
        "oddRecords,oddModname,oddFunction,oddFilename,oddFormat,keptRecords,keptBytes,catControlMaps,hits,hitMaps," +
        "data,algorithm,origDataSize,comprDataSize,memUsedTotal,samePages,hugePages";

    public static void Write(TextWriter w, ZramPlanResult r)
    {
        if (r.Records == 0)
        {
            return;
        }

        var inv = CultureInfo.InvariantCulture;
        var p = r.Pool;
        var o = r.OddPointers;
        var c = r.Cache;
        var head = string.Create(inv,
            $"{CompressCsvReport.Quote(r.File)},{r.Records},{r.RecordSize},{p?.ObjectSize},{p?.Pool.ClassSize},{p?.Pool.Pages},{p?.Pool.Bytes},{p?.Pool.HandleBytes},{p?.BeforeBytes},{p?.DuringBytes},{p?.AfterBytes}," +
            $"{o.Records},{o.Modname},{o.Function},{o.Filename},{o.Format},{c.KeptRecords},{c.KeptBytes},{c.CatControlMaps},{c.Hits},{c.HitMaps}");
        var rows = r.Zram.Select(s => ("records", s)).Concat(r.ZramLoaded.Select(s => ("loaded", s))).Concat(r.ZramSites.Select(s => ("sites", s))).ToList();
        if (rows.Count == 0)
        {
            w.WriteLine(head + ",,,,,,,");
            return;
        }

        foreach (var (data, s) in rows)
        {
            w.WriteLine(string.Create(inv, $"{head},{data},{s.Algorithm.Name()},{s.OrigDataSize},{s.ComprDataSize},{s.MemUsedTotal},{s.SamePages},{s.HugePages}"));
        }
    }
}
