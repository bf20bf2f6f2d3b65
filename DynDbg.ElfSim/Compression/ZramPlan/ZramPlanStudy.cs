using System.Text;
using DynDbg.ElfSim.Compression.Zram;
using DynDbg.ElfSim.Control;
using DynDbg.ElfSim.DynDbg;
using DynDbg.ElfSim.Elf;

namespace DynDbg.ElfSim.Compression.ZramPlan;

/// <summary>
/// The July 2020 "semi-viable diet plan" (reference §5) on one input, from the binary alone: the zs_pool copy of
/// the records, zram per algorithm for the records and for the v5 site columns, the <c>% 2</c> test and the
/// map/unmap cache over the control state (docs/compression.md, "The 2020 plan").
/// </summary>
public static class ZramPlanStudy
{
    public const int PageSize = 4096;

    public static ZramPlanResult Run(ElfFile file, MainlineImage image, ZramPlanOptions options)
    {
        var layout = image.Decision?.Layout;
        var p = layout?.PointerSize ?? file.PointerSize;
        var records = image.Records.Count;
        var recordSize = layout?.RecordSize ?? 0;
        var jumpLabel = layout?.JumpLabel ?? false;
        var kind = image.Kind == ImageKind.Module ? "module" : "built-in";

        var recordBytes = image.Region is { } region && !region.Section.IsNoBits
            ? file.GetBytes(region.FileOffset, region.Size).ToArray()
            : [];
        var siteSize = layout is null ? 0 : DietLayout.Create(DietVariant.V5, p, layout.BigEndian, jumpLabel).SiteSize;
        var siteBytes = layout is null ? [] : Sites(file, image, siteSize);

        ZsPoolCopy? pool = layout is null ? null : Pool(options.Pool, recordSize, p, records, jumpLabel);
        var zram = options.Zram && records > 0 ? Zram(recordBytes) : [];
        var zramSites = options.Zram && records > 0 ? Zram(siteBytes) : [];
        var loadedBytes = layout is null || image.Memory is LinkedMemory || records == 0 ? [] : Loaded(file, image, recordBytes);
        var zramLoaded = options.Zram && loadedBytes.Length > 0 ? Zram(loadedBytes) : [];
        var odd = OddPointerTest.Run(file, image);

        var control = new DyndbgControl();
        var failed = new List<string>();
        if (records > 0)
        {
            control.Load(image);
            var queries = options.Queries ?? [];
            for (var i = 0; i < queries.Count; i++)
            {
                var result = control.Write(Encoding.UTF8.GetBytes(queries[i]));
                if (result.Failed)
                {
                    failed.Add($"write {i + 1} '{queries[i]}': {Errno.Name(result.Rc)}");
                }
            }
        }

        var state = CacheState.From(control.Tables);
        var cache = MapCacheModel.Run(state, jumpLabel, recordSize + p, options.Hits, options.Seed, options.Module);
        return new ZramPlanResult(file.Path, 1, kind, layout?.Name, jumpLabel, p, records, recordSize, image.Tables.Count, pool,
            recordBytes.LongLength, siteSize, siteBytes.LongLength, zram, zramSites, odd, cache, failed)
        {
            RecordBytes = recordBytes,
            SiteBytes = siteBytes,
            LoadedBytes = loadedBytes,
            ZramLoaded = zramLoaded,
            CacheState = state,
        };
    }

    /// <summary>
    /// Several inputs as one kernel: one pool holding every record (one per object size, should the inputs differ),
    /// one zram device per algorithm with each input's bytes from a page boundary on, and the sums of the rest.
    /// </summary>
    public static ZramPlanResult Total(IReadOnlyList<ZramPlanResult> parts, ZramPlanOptions options)
    {
        var withRecords = parts.Where(r => r.Records > 0).ToList();
        var first = withRecords.FirstOrDefault() ?? parts.FirstOrDefault();
        var records = parts.Sum(r => r.Records);
        ZsPoolCopy? pool = null;
        var pools = withRecords.Where(r => r.Pool is not null).GroupBy(r => (r.RecordSize, r.Pool!.ZhandleBytes)).ToList();
        if (pools.Count > 0)
        {
            var results = pools.Select(g => ZsPoolModel.Allocate(g.Key.RecordSize + g.Key.ZhandleBytes, g.Sum(r => r.Records), options.Pool)).ToList();
            var one = results[0];
            var merged = results.Count == 1 ? one
                : new ZsPoolResult(-1, -1, -1, results.Sum(x => x.Pages), results.Sum(x => x.Bytes), results.Sum(x => x.HandleBytes));
            pool = new ZsPoolCopy(options.Pool, pools.Count == 1 ? pools[0].Key.RecordSize : -1, pools[0].Key.ZhandleBytes, merged,
                withRecords.Sum(r => r.Pool?.BeforeBytes ?? 0), withRecords.Sum(r => r.Pool?.ZhandleVectorBytes ?? 0),
                withRecords.Sum(r => r.Pool?.StaticKeyBytes ?? 0));
        }

        var zram = options.Zram && records > 0 ? Zram(PageAligned(withRecords.Select(r => r.RecordBytes))) : [];
        var zramSites = options.Zram && records > 0 ? Zram(PageAligned(withRecords.Select(r => r.SiteBytes))) : [];
        var loaded = withRecords.Where(r => r.LoadedBytes.Length > 0).ToList();
        var zramLoaded = options.Zram && loaded.Count > 0 ? Zram(PageAligned(loaded.Select(r => r.LoadedBytes))) : [];
        var profiles = withRecords.Select(r => r.Profile).Distinct().ToList();
        var sizes = withRecords.Select(r => r.RecordSize).Distinct().ToList();
        var siteSizes = withRecords.Select(r => r.SiteSize).Distinct().ToList();
        var jumpLabel = withRecords.Count > 0 && withRecords.All(r => r.JumpLabel);
        var objectSize = withRecords.Count > 0 ? withRecords.Max(r => r.RecordSize + r.PointerSize) : 0;
        return new ZramPlanResult($"total of {parts.Count} inputs ({withRecords.Count} with records)", parts.Sum(r => r.Inputs),
            string.Join("+", withRecords.Select(r => r.Kind).Distinct()),
            profiles.Count == 1 ? profiles[0] : null, jumpLabel, first?.PointerSize ?? 0,
            records, sizes.Count == 1 ? sizes[0] : -1, parts.Sum(r => r.Tables), pool, parts.Sum(r => r.DyndbgBytes),
            siteSizes.Count == 1 ? siteSizes[0] : -1, parts.Sum(r => r.SitesBytes), zram, zramSites,
            OddPointerResult.Total(parts.Select(r => r.OddPointers).ToList()),
            MapCacheModel.Run(CacheState.Concat(withRecords.Select(r => r.CacheState)), jumpLabel, objectSize, options.Hits, options.Seed, options.Module),
            parts.SelectMany(r => r.FailedQueries).ToList())
        {
            ZramLoaded = zramLoaded,
        };
    }

    /// <summary>The zs_pool copy: objects of record + zhandle bytes.</summary>
    public static ZsPoolCopy Pool(ZpoolKind kind, int recordSize, int pointerSize, long records, bool jumpLabel) =>
        new(kind, recordSize, pointerSize, ZsPoolModel.Allocate(recordSize + pointerSize, records, kind), records * recordSize,
            records * pointerSize, jumpLabel ? records * 2 * pointerSize : 0);

    /// <summary>mm_stat after <paramref name="bytes"/> are written from offset 0 of a fresh device, per algorithm.</summary>
    public static IReadOnlyList<ZramStats> Zram(ReadOnlySpan<byte> bytes)
    {
        var stats = new List<ZramStats>(ZramAlgorithmNames.All.Count);
        foreach (var a in ZramAlgorithmNames.All)
        {
            var device = new ZramDevice(a);
            device.Write(bytes);
            stats.Add(device.Stats);
        }

        return stats;
    }

    /// <summary>
    /// A relocatable input's records with their four pointers at the run-time values the loader emulation gives
    /// (<see cref="SiteTable.RunTimeAddress"/>; the Real tests show these equal the loader's relocated bytes on every
    /// Debian architecture), everything else as stored.
    /// </summary>
    public static byte[] Loaded(ElfFile file, MainlineImage image, byte[] stored)
    {
        var layout = image.Decision!.Layout;
        var address = SiteTable.RunTimeAddress(file, image);
        var p = layout.PointerSize;
        var e = new ElfEndian(layout.BigEndian);
        var bytes = (byte[])stored.Clone();
        foreach (var r in image.Records)
        {
            var at = bytes.AsSpan(r.Index * layout.RecordSize, layout.RecordSize);
            e.PutWord(at[layout.ModnameOffset..], address(r.ModnameAt), p);
            e.PutWord(at[layout.FunctionOffset..], address(r.FunctionAt), p);
            e.PutWord(at[layout.FilenameOffset..], address(r.FilenameAt), p);
            e.PutWord(at[layout.FormatOffset..], address(r.FormatAt), p);
        }

        return bytes;
    }

    /// <summary>
    /// The v5 <c>__dyndbg_sites</c> array of the records (reference §6.1): per record <c>{ modname, filename,
    /// function }</c> in the file's byte order, <c>__aligned(8)</c>, with the pointers' run-time values (a linked
    /// image's own; a module's as the loader emulation places it). The header pair's element is not included: the
    /// records are mainline ones, before any diet transform.
    /// </summary>
    public static byte[] Sites(ElfFile file, MainlineImage image, int siteSize)
    {
        var records = image.Records;
        if (records.Count == 0 || image.Decision is not { } decision)
        {
            return [];
        }

        var address = SiteTable.RunTimeAddress(file, image);
        var p = decision.Layout.PointerSize;
        var e = new ElfEndian(decision.Layout.BigEndian);
        var bytes = new byte[(long)records.Count * siteSize];
        for (var i = 0; i < records.Count; i++)
        {
            var r = records[i];
            var at = bytes.AsSpan(i * siteSize, siteSize);
            e.PutWord(at, address(r.ModnameAt), p);
            e.PutWord(at[p..], address(r.FilenameAt), p);
            e.PutWord(at[(2 * p)..], address(r.FunctionAt), p);
        }

        return bytes;
    }

    private static byte[] PageAligned(IEnumerable<byte[]> parts)
    {
        var list = parts.ToList();
        var total = list.Sum(b => (b.LongLength + PageSize - 1) / PageSize * PageSize);
        var all = new byte[total];
        long at = 0;
        foreach (var b in list)
        {
            b.CopyTo(all, at);
            at += (b.LongLength + PageSize - 1) / PageSize * PageSize;
        }

        return all;
    }
}
