using System.CommandLine;
using DynDbg.ElfSim.Compression.Zram;
using DynDbg.ElfSim.Compression.ZramPlan;
using DynDbg.ElfSim.Diagnostics;
using DynDbg.ElfSim.DynDbg;
using DynDbg.ElfSim.Reports;

namespace DynDbg.ElfSim.Cli;

/// <summary>
/// <c>zram FILE|DIR... [--format text|json|csv]</c>: the July 2020 plan (docs/compression.md, "The 2020 plan"). Per
/// input (directories walked for ELF files, read in parallel): the zs_pool copy of the records, the records and the
/// v5 site columns written to zram per algorithm, the <c>% 2</c> test on the final addresses and the map/unmap
/// cache over the control state (<c>--query</c> writes after the image's defaults). <c>--total</c> takes all inputs
/// as one kernel. Exit 1 when a <c>--query</c> write fails, 2 when an input cannot be read.
/// </summary>
public static class ZramCommand
{
    public static Command Create(CliOutput io)
    {
        var files = new Argument<string[]>("FILE") { Description = "ELF inputs (vmlinux, vmlinux.o, .ko) or directories to walk", Arity = ArgumentArity.OneOrMore };
        var format = new Option<string>("--format") { Description = "text, json or csv", DefaultValueFactory = _ => "text" };
        format.AcceptOnlyFromAmong("text", "json", "csv");
        var pool = new Option<string>("--pool") { Description = "zpool back-end of the record copy: zsmalloc, zbud or z3fold", DefaultValueFactory = _ => "zsmalloc" };
        pool.AcceptOnlyFromAmong("zsmalloc", "zbud", "z3fold");
        var query = new Option<string[]>("--query", "-q") { Description = "a write to the control file before the cache is priced, as in control (repeatable)" };
        var hits = new Option<long>("--hits") { Description = "pr_debug calls to draw, uniformly over the call sites", DefaultValueFactory = _ => ZramPlanOptions.DefaultHits };
        var seed = new Option<int>("--seed") { Description = "seed of the drawn calls", DefaultValueFactory = _ => ZramPlanOptions.DefaultSeed };
        var module = new Option<string?>("--module") { Description = "the module whose 'module M +p' is priced (default: each input's largest table)" };
        var total = new Option<bool>("--total") { Description = "all inputs as one kernel: one pool, one device per algorithm, sums of the rest" };
        var noZram = new Option<bool>("--no-zram") { Description = "skip the zram devices (the compressors)" };
        var dump = new Option<string?>("--dump") { Description = "write each input's device bytes to DIR/<name>.dyndbg and DIR/<name>.sites" };
        var cmd = new Command("zram", "the 2020 plan: zs_pool copy, zram per algorithm, the odd-pointer test, the map/unmap cache")
        {
            files, format, pool, query, hits, seed, module, total, noZram, dump,
        };
        cmd.SetAction(r => Run(io, r.GetValue(files)!, ReportFormats.Parse(r.GetValue(format)!), new ZramPlanOptions(
            r.GetValue(pool) switch
            {
                "zbud" => ZpoolKind.Zbud,
                "z3fold" => ZpoolKind.Z3fold,
                _ => ZpoolKind.Zsmalloc,
            },
            r.GetValue(query) ?? [], r.GetValue(hits), r.GetValue(seed), r.GetValue(module), !r.GetValue(noZram)), r.GetValue(total), r.GetValue(dump)));
        return cmd;
    }

    public static int Run(CliOutput io, IReadOnlyList<string> paths, ReportFormat format, ZramPlanOptions options, bool total = false, string? dump = null)
    {
        if (options.Hits < 0)
        {
            return io.Usage($"--hits {options.Hits} is negative");
        }

        if (CliInputs.UnknownOption(paths) is { } unknown)
        {
            return io.Usage($"unknown option '{unknown}' for zram");
        }

        try
        {
            var inputs = InputFiles.Expand(paths);

            // With --total the calls are drawn once, over the whole kernel: none per input.
            var each = total ? options with { Hits = 0 } : options;
            var results = InputFiles.Decode(inputs, (file, lazy) =>
            {
                using (file)
                {
                    return ZramPlanStudy.Run(file, ImageReader.ReadMainline(file, lazy: lazy), each);
                }
            }, io.ProgressFor(inputs.Count), "zram");
            if (results.Count == 0)
            {
                return io.Usage("no ELF files found in the given directories");
            }

            if (dump is not null)
            {
                Dump(dump, results);
            }

            IReadOnlyList<ZramPlanResult> shown = total ? [ZramPlanStudy.Total(results, options)] : results;
            switch (format)
            {
                case ReportFormat.Json:
                    io.Out.Write(JsonArrays.Document(shown, (j, r) => ZramJsonReport.Write(j, r, options)));
                    break;
                case ReportFormat.Csv:
                    io.Out.WriteLine(ZramCsvReport.Header);
                    foreach (var r in shown)
                    {
                        ZramCsvReport.Write(io.Out, r);
                    }

                    break;
                default:
                    io.Print(shown, format, (_, _) => { }, (w, r) => ZramTextReport.Write(w, r, options));
                    break;
            }

            io.Out.Flush();
            var failed = results.SelectMany(r => r.FailedQueries.Select(q => (r.File, q))).ToList();
            foreach (var (file, q) in failed.DistinctBy(f => f.q).Take(3))
            {
                io.Error.WriteLine($"{Program.Name}: zram: {file}: {q}");
            }

            return failed.Count > 0 ? ExitCodes.CheckFailed : ExitCodes.Ok;
        }
        catch (DiagnosticException e)
        {
            return io.Fail(e);
        }
        catch (Exception e) when (dump is not null && e is IOException or UnauthorizedAccessException)
        {
            return io.Usage($"--dump {dump}: {e.Message}");
        }
    }

    /// <summary>
    /// DIR/&lt;name&gt;.dyndbg and DIR/&lt;name&gt;.sites per input with records (a repeated name gets .2, .3, ...): the
    /// bytes the devices were given, for writing the same to a real <c>/dev/zram0</c>. Each file is written whole.
    /// </summary>
    private static void Dump(string dir, IReadOnlyList<ZramPlanResult> results)
    {
        Directory.CreateDirectory(dir);
        var used = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var r in results.Where(r => r.Records > 0))
        {
            var name = Path.GetFileName(r.File);
            var n = used[name] = used.GetValueOrDefault(name) + 1;
            var stem = Path.Combine(dir, n == 1 ? name : $"{name}.{n}");
            foreach (var (suffix, bytes) in new[] { (".dyndbg", r.RecordBytes), (".sites", r.SiteBytes) })
            {
                var tmp = stem + suffix + ".tmp";
                File.WriteAllBytes(tmp, bytes);
                File.Move(tmp, stem + suffix, overwrite: true);
            }
        }
    }
}
