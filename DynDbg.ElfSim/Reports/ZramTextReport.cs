using DynDbg.ElfSim.Compression.Zram;
using DynDbg.ElfSim.Compression.ZramPlan;

namespace DynDbg.ElfSim.Reports;

/// <summary><c>zram</c>'s text: the 2020 plan on one input (or the total), in the order docs/compression.md explains it.</summary>
public static class ZramTextReport
{
    public static void Write(TextWriter w, ZramPlanResult r, ZramPlanOptions options)
    {
        w.WriteLine($"File:      {r.File}");
        if (r.Records == 0)
        {
            w.WriteLine("Records:   none (no __dyndbg table)");
            return;
        }

        var size = r.RecordSize > 0 ? $"{r.RecordSize} bytes" : "mixed sizes";
        w.WriteLine($"Profile:   {r.Profile ?? "mixed"} ({r.Kind}), {r.Records} records of {size} in {r.Tables} tables");
        w.WriteLine($"__dyndbg:  {r.DyndbgBytes} bytes as in the image; v5 __dyndbg_sites: {r.SitesBytes} bytes ({(r.SiteSize > 0 ? $"{r.SiteSize}" : "mixed")} per site, run-time values)");
        if (r.Pool is { } p)
        {
            w.WriteLine();
            var pool = ZramPlanOptions.Name(p.Kind);
            w.WriteLine($"zs_pool copy ({pool}): objects of {(p.RecordSize > 0 ? $"{p.ObjectSize} bytes ({p.RecordSize}-byte record + {p.ZhandleBytes}-byte zhandle)" : "mixed sizes")}");
            if (p.Pool.ClassSize > 0)
            {
                w.WriteLine($"  class {p.Pool.ClassSize} bytes, {p.Pool.ObjectsPerZspage} objects in {p.Pool.PagesPerZspage} page(s) per zspage");
            }

            w.WriteLine($"  {r.Records} objects: {p.Pool.Pages} pages = {p.Pool.Bytes} bytes, handles {p.Pool.HandleBytes} bytes");
            w.WriteLine($"  before {p.BeforeBytes} (__dyndbg)   during {p.DuringBytes} (both)   after {p.AfterBytes} (__dyndbg reclaimed)");
            w.WriteLine($"  not in 'after', still needed: zhandles {p.ZhandleVectorBytes}{(r.JumpLabel ? $", static keys {p.StaticKeyBytes} (__jump_table points at them)" : "")}");
        }

        if (r.Zram.Count > 0)
        {
            w.WriteLine();
            w.WriteLine("zram (mm_stat after writing from offset 0 of a fresh device, 4 KiB pages, the last one zero-padded):");
            if (r.ZramLoaded.Count > 0)
            {
                w.WriteLine("  (records: as stored in the file; loaded: with the pointers the loader writes, as a kernel would copy them)");
            }

            w.WriteLine("  data     algorithm  orig_data_size  compr_data_size  mem_used_total  same_pages  huge_pages");
            foreach (var (data, s) in r.Zram.Select(s => ("records", s)).Concat(r.ZramLoaded.Select(s => ("loaded", s))).Concat(r.ZramSites.Select(s => ("sites", s))))
            {
                w.WriteLine($"  {data,-8} {s.Algorithm.Name(),-9}  {s.OrigDataSize,14}  {s.ComprDataSize,15}  {s.MemUsedTotal,14}  {s.SamePages,10}  {s.HugePages,10}");
            }
        }

        var o = r.OddPointers;
        w.WriteLine();
        w.WriteLine($"% 2 test ({o.Placement}):");
        w.WriteLine($"  odd pointers: modname {o.Modname}, function {o.Function}, filename {o.Filename}, format {o.Format}; records with any: {o.Records} of {r.Records}");
        if (o.LayoutDependent > 0)
        {
            w.WriteLine($"  {o.LayoutDependent} records point into byte-aligned or merged-string sections: their parity is the vmlinux link's to decide");
        }

        foreach (var s in o.First)
        {
            w.WriteLine($"  {s}");
        }

        if (o.Flag is { } f)
        {
            var free = f.FreeFlagBits >= 0 ? $"{f.FreeFlagBits} of flags:8 free in 6.1" : "free bits differ per input";
            w.WriteLine($"  is_zhandle flag: bit 0x{f.Bit:x} ({free}; {(f.PaddingBytes >= 0 ? $"{f.PaddingBytes}" : "varying")} padding bytes per record): costs {f.CostBytes} bytes; misread records {f.MisreadsByParity} -> {f.MisreadsWithFlag}");
        }

        var c = r.Cache;
        w.WriteLine();
        var state = options.Queries is { Count: > 0 } q ? $"image defaults + {q.Count} write{(q.Count == 1 ? "" : "s")}" : "image defaults";
        w.WriteLine($"map/unmap cache (control state: {state}; a map is one zs_map_object + zs_unmap_object):");
        w.WriteLine($"  kept mapped:   {c.KeptRecords} records, {c.KeptBytes} bytes");
        w.WriteLine($"  cat control:   {c.CatControlMaps} maps");
        if (c.Module is { } m)
        {
            w.WriteLine($"  module {m} +p: {c.ModuleRecords} records, {c.ModuleMaps} maps (kept afterwards: {c.KeptAfterModule})");
        }
        else if (c.ModuleRecords > 0)
        {
            w.WriteLine($"  module M +p:   {c.ModuleRecords} records over the inputs' largest tables, {c.ModuleMaps} maps");
        }

        w.WriteLine($"  pr_debug:      {c.Hits} calls (uniform, seed {c.Seed}), {c.HitsOnKept} on printing sites");
        if (c.JumpLabel)
        {
            w.WriteLine($"    JUMP_LABEL:  {c.HitMaps} maps with the cache, {c.HitMapsWithoutCache} without (a site that does not print costs nothing)");
        }
        else
        {
            w.WriteLine($"    !JUMP_LABEL: {c.HitMaps} maps with the cache (one per call on a site not kept), {c.HitMapsWithoutCache} without;");
            w.WriteLine($"                 with a flags vector ({c.FlagsVectorBytes} bytes, one per call site): {c.HitMapsWithFlagsVector}");
        }
    }
}
