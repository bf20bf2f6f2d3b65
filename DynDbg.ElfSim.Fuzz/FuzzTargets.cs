using System.Buffers.Binary;
using System.Text;
using DynDbg.ElfSim.Checks;
using DynDbg.ElfSim.Compression;
using DynDbg.ElfSim.Compression.Zram;
using DynDbg.ElfSim.Compression.ZramPlan;
using DynDbg.ElfSim.Control;
using DynDbg.ElfSim.Diagnostics;
using DynDbg.ElfSim.DynDbg;
using DynDbg.ElfSim.Elf;
using DynDbg.ElfSim.Linking;
using DynDbg.ElfSim.Loading;
using DynDbg.ElfSim.Reports;

namespace DynDbg.ElfSim.Fuzz;

/// <summary>
/// The fuzz targets of issue 18, one per parser, each driving the code path the CLI command drives. The oracle is
/// the project's error policy: a target either returns or throws one of our own error types
/// (<see cref="DiagnosticException"/> with its stable ID, or the loader's <see cref="LoaderRefusal"/>); any other
/// exception is a bug, and so is a hang or unbounded memory (AFL's timeout and the GC heap limit the cake target
/// sets). <see cref="Replay"/> is what the Findings test and the CI smoke call: the same entry point, outside AFL.
/// </summary>
public static class FuzzTargets
{
    /// <summary>Target names, as <c>--fuzz-target=NAME</c> and the Corpus/Findings folder names spell them.</summary>
    public static IReadOnlyList<string> Names { get; } = ["elf", "profile", "script", "link", "loader", "diet", "query", "compress", "zram"];

    /// <summary>Runs <paramref name="target"/> on <paramref name="data"/>; our own errors are swallowed (the
    /// input was refused as it should be), anything else escapes, which AFL records as a crash.</summary>
    public static void Run(string target, byte[] data) => _ = Replay(target, data);

    /// <summary>
    /// Runs one input and says how it ended: <c>ok</c>, or our one-line error. Anything that is not ours escapes
    /// (the caller reports the input). The line is checked to be one line, as the CLI would print it.
    /// </summary>
    public static string Replay(string target, byte[] data)
    {
        try
        {
            Dispatch(target, data);
            return "ok";
        }
        catch (DiagnosticException e)
        {
            var line = e.OneLine;
            return line.Contains('\n') ? throw new FuzzOracleException($"{e.Id}: the error is not one line: {line}") : line;
        }
        catch (LoaderRefusal r)
        {
            var line = r.OneLine;
            return line.Contains('\n') ? throw new FuzzOracleException($"{r.Id}: the refusal is not one line: {line}") : line;
        }
    }

    private static void Dispatch(string target, byte[] data)
    {
        switch (target)
        {
            case "elf": Elf(data); break;
            case "profile": Profile(data); break;
            case "script": Script(data); break;
            case "link": Link(data); break;
            case "loader": Loader(data); break;
            case "diet": Diet(data); break;
            case "query": Query(data); break;
            case "compress": Compress(data); break;
            case "zram": Zram(data); break;
            default: throw new ArgumentException($"unknown fuzz target '{target}' (known: {string.Join(", ", Names)})", nameof(target));
        }
    }

    /// <summary>The reader (headers, every symbol table, relocation table and group) and the table decode with the
    /// control file rendered, as <c>load --control</c> does; a diet image's elements instead.</summary>
    private static void Elf(byte[] data)
    {
        using var f = ElfFile.FromBytes("fuzz.o", data);
        foreach (var s in f.Sections)
        {
            if (s.Type == ElfConstants.ShtSymtab)
            {
                var t = f.GetSymbolTable(s);
                for (var i = 0; i < t.Count; i++)
                {
                    _ = t.GetName(i);
                }
            }
            else if (s.IsRelocation)
            {
                _ = f.GetRelocations(s).Entries.Length;
            }
            else if (s.Type == ElfConstants.ShtGroup)
            {
                _ = f.GetGroup(s);
            }
        }

        switch (ImageReader.Read(f))
        {
            case MainlineImage m:
                _ = ControlFileWriter.Render([m]);
                break;
            case DietImage d:
                _ = d.Elements.Count;
                break;
        }
    }

    /// <summary>Profile detection alone: the region of <c>__dyndbg</c> or <c>__verbose</c> and the layout decision
    /// (a diet image, with <c>__dyndbg_sites</c>, is told by its own layout: the diet target's).</summary>
    private static void Profile(byte[] data)
    {
        using var f = ElfFile.FromBytes("fuzz.o", data);
        if (DdebugRegionLocator.Find(f, DietLayout.SiteSection) is not null)
        {
            return;
        }

        var region = DdebugRegionLocator.Find(f, "__dyndbg") ?? DdebugRegionLocator.Find(f, "__verbose");
        if (region is not null)
        {
            _ = ProfileDetector.Decide(f, ElfMemory.For(f), region, null);
        }
    }

    /// <summary>The bytes as a linker script: parsed, linked with the x86_64 alpha objects, written and mapped.</summary>
    private static void Script(byte[] data)
    {
        var script = ScriptParser.Parse("fuzz.lds", Encoding.UTF8.GetString(data));
        var result = Linker.Link(script, FuzzInputs.AlphaObjects);
        _ = result.ToElf().ToArray();
        _ = result.Map();
    }

    /// <summary><c>link -T module.lds</c> of the fuzzed object, in memory; the output is decoded again.</summary>
    private static void Link(byte[] data)
    {
        using var f = ElfFile.FromBytes("fuzz.o", data);
        var result = Linker.Link(FuzzInputs.ModuleScript, [("fuzz.o", f)]);
        var bytes = result.ToElf().ToArray();
        _ = result.Map();
        using var linked = ElfFile.FromBytes("fuzz-linked.ko", bytes);
        _ = ImageReader.Read(linked);
    }

    /// <summary>The 6.1 module loader: layout, move_module and apply_relocations at the arch's module base, then
    /// the table decoded from the relocated image as <c>dynamic_debug_setup</c> sees it.</summary>
    private static void Loader(byte[] data)
    {
        using var f = ElfFile.FromBytes("fuzz.ko", data);
        var layout = ModuleLoader.Layout(f);
        var core = DietLoader.DefaultModuleBase(f.Header.Machine, f.Header.Is64);
        var loaded = LoadedModule.Load(f, layout, core, core + 0x1000000);
        _ = MainlineImage.Load(f, memory: DietMemory.Over(loaded));
    }

    /// <summary><c>check</c> on a diet image: the static checks and, where it can be loaded, the emulated load
    /// and the post-load checks (<see cref="FileCheck.Diet"/>).</summary>
    private static void Diet(byte[] data)
    {
        using var f = ElfFile.FromBytes("fuzz.ko", data);
        if (ImageReader.Read(f) is DietImage img)
        {
            _ = FileCheck.Diet(f, img);
        }
    }

    /// <summary>The bytes as one write(2) to <c>/proc/dynamic_debug/control</c> of a kernel with the x86_64 sample
    /// vmlinux.o built in and alpha.ko and beta.ko loaded; then <c>cat control</c>.</summary>
    private static void Query(byte[] data)
    {
        var control = new DyndbgControl(verbose: 3);
        foreach (var image in FuzzInputs.ControlImages)
        {
            control.Load(image);
        }

        _ = control.Write(data);
        _ = ControlFileWriter.Render(control);
    }

    /// <summary>
    /// Every site store on a fuzzed table, each checked exact (v6-pack may differ only inside a function run, its
    /// documented rule). An input with the ELF magic is a file whose table is studied as <c>compress</c> does;
    /// anything else is a table itself: byte 0 picks the pointer size (bit 0: 8), byte order (bit 1: big) and
    /// kind (bit 2: built-in), the rest is site triples (modname, filename, function) of that word size.
    /// </summary>
    private static void Compress(byte[] data)
    {
        SiteTable table;
        if (data.AsSpan().StartsWith("\u007fELF"u8))
        {
            using var f = ElfFile.FromBytes("fuzz.ko", data);
            table = SiteTable.From(f, ImageReader.ReadMainline(f));
        }
        else
        {
            table = TableOf(data);
        }

        var result = CompressionStudy.Run(table, FuzzInputs.CheapStores);
        foreach (var store in result.Stores.Where(s => !s.Exact))
        {
            if (store.Name != "v6-pack")
            {
                throw new FuzzOracleException($"store {store.Name} gives back {store.Mismatches} of {table.Count} sites wrong");
            }
        }

        using var v6 = new V6PackSiteStore(table);
        var check = SiteStoreCheck.Run(v6);
        var i = check.FirstMismatch;
        if (!check.Exact && !(i > 0 && table[i].Function == table[i - 1].Function))
        {
            throw new FuzzOracleException($"v6-pack gives back site {i} wrong outside a function run");
        }
    }

    /// <summary>
    /// The 2020 plan's zram pieces on fuzzed bytes (issue 16): the bytes written to a fresh zram device with each
    /// algorithm (then the first half written over again, freeing slots), mm_stat's identities checked; every page
    /// through lzo and lzo-rle and back (lossless); the bytes themselves given to <c>lzo1x_decompress_safe</c>
    /// (a negative LZO_E_* code or a length, never an exception); and a zs_malloc/zs_free sequence read from the
    /// bytes that must give every page back when all is freed. At most 16 KiB is written (four pages). An input with
    /// the ELF magic also goes through the <c>zram</c> command's study (<see cref="ZramPlanStudy"/>: zs_pool copy,
    /// records and site columns per algorithm, the % 2 test, the map/unmap cache), alone and as a --total.
    /// </summary>
    private static void Zram(byte[] data)
    {
        const int Page = ZramCompressor.PageSize;
        var body = data.AsSpan(0, Math.Min(data.Length, 4 * Page));
        var pages = (body.Length + Page - 1) / Page;
        foreach (var algorithm in ZramAlgorithmNames.All)
        {
            var device = new ZramDevice(algorithm);
            device.Write(body);
            device.Write(body[..(pages / 2 * Page)]);
            var s = device.Stats;
            if (s.PagesStored != pages || s.OrigDataSize != (long)pages * Page || s.ComprDataSize < 0 ||
                s.ComprDataSize > (long)(s.PagesStored - s.SamePages) * Page || s.HugePages > s.PagesStored || s.MemUsedMax < s.MemUsedTotal)
            {
                throw new FuzzOracleException($"{algorithm.Name()}: mm_stat {s.MmStatLine()} after {pages} pages");
            }
        }

        var page = new byte[Page];
        var packed = new byte[ZramCompressor.BufferSize];
        var back = new byte[Page];
        for (var at = 0; at < body.Length; at += Page)
        {
            Array.Clear(page);
            body[at..Math.Min(body.Length, at + Page)].CopyTo(page);
            foreach (var rle in new[] { false, true })
            {
                var n = Lzo1x.Compress(page, packed, rle);
                var m = Lzo1x.Decompress(packed.AsSpan(0, n), back);
                if (m != Page || !back.AsSpan().SequenceEqual(page))
                {
                    throw new FuzzOracleException($"lzo{(rle ? "-rle" : "")}: page at {at} does not come back ({n} bytes packed, decompress gave {m})");
                }
            }
        }

        var r = Lzo1x.Decompress(data, back);
        if (r > Page)
        {
            throw new FuzzOracleException($"lzo1x_decompress_safe returned {r} for a {Page}-byte buffer");
        }

        var pool = new ZsPool();
        var live = new List<int>();
        for (var i = 0; i + 1 < data.Length; i += 2)
        {
            var v = (data[i] << 8) | data[i + 1];
            if ((v & 0x8000) != 0 && live.Count > 0)
            {
                var k = v % live.Count;
                pool.Free(live[k]);
                live.RemoveAt(k);
            }
            else
            {
                live.Add(pool.Malloc((v & 0x7fff) % Page + 1));
            }
        }

        live.ForEach(pool.Free);
        if (pool.TotalPages != 0 || pool.Handles != 0 || pool.Zspages != 0)
        {
            throw new FuzzOracleException($"zs_pool holds {pool.TotalPages} pages, {pool.Handles} handles after every free");
        }

        if (data.AsSpan().StartsWith("\u007fELF"u8))
        {
            using var f = ElfFile.FromBytes("fuzz.ko", data);
            var options = new ZramPlanOptions(Pool: (ZpoolKind)(data.Length % 3), Hits: 1000);
            var one = ZramPlanStudy.Run(f, ImageReader.ReadMainline(f), options);
            ZramTextReport.Write(TextWriter.Null, ZramPlanStudy.Total([one, one], options), options);
            ZramTextReport.Write(TextWriter.Null, one, options);
        }
    }

    private static SiteTable TableOf(byte[] data)
    {
        var flags = data.Length > 0 ? data[0] : 0;
        var ptr = (flags & 1) != 0 ? 8 : 4;
        var be = (flags & 2) != 0;
        var kind = (flags & 4) != 0 ? ImageKind.BuiltIn : ImageKind.Module;
        var body = data.AsSpan(Math.Min(1, data.Length));
        var sites = new Site[body.Length / (3 * ptr)];
        ulong Word(ReadOnlySpan<byte> b) => ptr == 8
            ? be ? BinaryPrimitives.ReadUInt64BigEndian(b) : BinaryPrimitives.ReadUInt64LittleEndian(b)
            : be ? BinaryPrimitives.ReadUInt32BigEndian(b) : BinaryPrimitives.ReadUInt32LittleEndian(b);
        for (var i = 0; i < sites.Length; i++)
        {
            var s = body.Slice(i * 3 * ptr, 3 * ptr);
            sites[i] = new Site(Word(s), Word(s[ptr..]), Word(s[(2 * ptr)..]));
        }

        // One table per run of equal modname pointers, as a built-in image's tables are cut.
        var tables = new List<DdebugTable>();
        for (var i = 0; i < sites.Length;)
        {
            var j = i;
            while (j < sites.Length && sites[j].Modname == sites[i].Modname)
            {
                j++;
            }

            tables.Add(new DdebugTable($"m{sites[i].Modname:x}", i, j - i, []));
            i = j;
        }

        return SiteTable.Create("fuzz-table", ptr, be, kind, sites, sites.Length > 0 ? sites[0].Modname : 0, tables);
    }
}
