using System.CommandLine;
using DynDbg.ElfSim.Compression;
using DynDbg.ElfSim.Diagnostics;
using DynDbg.ElfSim.DynDbg;
using DynDbg.ElfSim.Elf;
using DynDbg.ElfSim.Reports;

namespace DynDbg.ElfSim.Cli;

/// <summary>
/// <c>compress FILE... [--format text|json|csv]</c>: the site-column compression study (docs/compression.md).
/// For each input (directories are walked for ELF files): the raw site bytes, the strings behind them, and per
/// store its bytes, ratio, savings, random access, Get and stream times and exactness; <c>--total</c> sums all
/// inputs into one table (a module tree). <c>--zstd auto|system|managed</c> picks the zstd implementation (auto:
/// the system's libzstd, else ZstdSharp.Port); the output names it. Exit 1 when a store is not exact, 2 when an
/// input cannot be read or <c>--zstd system</c> finds no libzstd.
/// </summary>
public static class CompressCommand
{
    public static Command Create(CliOutput io)
    {
        var files = new Argument<string[]>("FILE") { Description = "ELF inputs (vmlinux, vmlinux.o, .ko) or directories to walk", Arity = ArgumentArity.OneOrMore };
        var format = new Option<string>("--format") { Description = "text, json or csv", DefaultValueFactory = _ => "text" };
        format.AcceptOnlyFromAmong("text", "json", "csv");
        var level = new Option<int>("--level") { Description = "zstd compression level (1-22)", DefaultValueFactory = _ => 19 };
        var block = new Option<int>("--block") { Description = "records per zstd-block frame", DefaultValueFactory = _ => 64 };
        var dict = new Option<int>("--dict-capacity") { Description = "zstd-dict dictionary capacity in bytes; 0: a hundredth of the samples (zdict.h)", DefaultValueFactory = _ => 0 };
        var stride = new Option<int>("--stride") { Description = "cols: runs between checkpoints", DefaultValueFactory = _ => ColumnSiteStore.DefaultStride };
        var budget = new Option<int>("--budget-ms") { Description = "time per measurement and store in ms; 0 skips timing", DefaultValueFactory = _ => 10 };
        var total = new Option<bool>("--total") { Description = "one table summing all inputs (each keeps its own stores)" };
        var noZstd = new Option<bool>("--no-zstd") { Description = "skip the zstd stores" };
        var zstd = new Option<string>("--zstd") { Description = "zstd implementation: auto (libzstd if it loads, else ZstdSharp.Port), system or managed", DefaultValueFactory = _ => "auto" };
        zstd.AcceptOnlyFromAmong("auto", "system", "managed");
        var dump = new Option<string?>("--dump") { Description = "write each input's site array to DIR/<name>.sites (for the zstd command line)" };
        var levels = new Option<bool>("--levels") { Description = "instead of the study: the zstd stores' bytes at every zstd level 1-22, summed over the inputs (the best level of each marked)" };
        var cmd = new Command("compress", "site-column compression study: sizes, ratios and fetch cost per store")
        {
            files, format, level, block, dict, stride, budget, total, noZstd, zstd, dump, levels,
        };
        cmd.SetAction(r => Run(io, r.GetValue(files)!, ReportFormats.Parse(r.GetValue(format)!),
            new SiteStoreOptions(r.GetValue(level), r.GetValue(block), r.GetValue(dict), r.GetValue(stride), !r.GetValue(noZstd),
                TimeSpan.FromMilliseconds(Math.Max(0, r.GetValue(budget)))),
            r.GetValue(total), r.GetValue(dump), r.GetValue(budget), r.GetValue(zstd) switch
            {
                "system" => ZstdChoice.System,
                "managed" => ZstdChoice.Managed,
                _ => ZstdChoice.Auto,
            }, r.GetValue(levels)));
        return cmd;
    }

    public static int Run(CliOutput io, IReadOnlyList<string> paths, ReportFormat format, SiteStoreOptions options, bool total, string? dump,
        int budgetMs = 10, ZstdChoice zstd = ZstdChoice.Auto, bool levels = false)
    {
        if (Validate(options, budgetMs) is { } usage)
        {
            return io.Usage(usage);
        }

        if (levels && !options.Zstd)
        {
            return io.Usage("--levels is the zstd stores' curve; --no-zstd leaves none");
        }

        if (options.Zstd && options.ZstdImplementation is null)
        {
            // Chosen once, before any input is read: a forced system libzstd that is missing stops the run whole.
            if (ZstdSelection.Select(zstd, out var problem) is not { } chosen)
            {
                io.Error.WriteLine($"{Program.Name}: error {CompressionErrorIds.ZstdUnavailable}: {problem}");
                return ExitCodes.BadInput;
            }

            options = options with { ZstdImplementation = chosen };
        }

        if (paths.FirstOrDefault(p => p.StartsWith('-') && !File.Exists(p) && !Directory.Exists(p)) is { } unknown)
        {
            return io.Usage($"unknown option '{unknown}' for compress");
        }

        try
        {
            var tables = LoadAll(InputFiles.Expand(paths));
            if (tables.Count == 0)
            {
                return io.Usage("no ELF files found in the given directories");
            }

            if (dump is not null)
            {
                Dump(dump, tables);
            }

            if (levels)
            {
                var curve = ZstdLevelCurve.Run(tables, options);
                var report = new LevelCurveReport.Input(tables.Count, tables.Sum(t => (long)t.Count), tables.Sum(t => t.RawBytes), curve, options);
                Action<TextWriter, LevelCurveReport.Input> text = format == ReportFormat.Csv ? LevelCurveReport.WriteCsv : LevelCurveReport.WriteText;
                io.Print([report], format, LevelCurveReport.WriteJson, text);
                return curve.All(p => p.Mismatches == 0) ? ExitCodes.Ok : ExitCodes.CheckFailed;
            }

            // One input after another (the timings would disturb each other in parallel); a tree takes minutes, so a
            // terminal gets a progress line on stderr (never a pipe or a log).
            var progress = new ProgressLine(io.Error, io.ErrorIsTerminal && tables.Count > 1);
            var results = new List<CompressionResult>(tables.Count);
            foreach (var t in tables)
            {
                progress.Report(() => $"compress: {results.Count}/{tables.Count} inputs, {progress.Seconds:0.0} s");
                results.Add(CompressionStudy.Run(t, options));
            }

            progress.Clear();
            var shown = total ? [CompressionResult.Total(results)] : results;
            Print(io.Out, format, shown, options);
            io.Out.Flush();
            return results.All(r => r.AllExact) ? ExitCodes.Ok : ExitCodes.CheckFailed;
        }
        catch (DiagnosticException e)
        {
            return io.Fail(e);
        }
        catch (ZstdException e)
        {
            io.Out.Flush();
            io.Error.WriteLine($"{Program.Name}: error {CompressionErrorIds.ZstdFailed}: {e.Message}");
            return ExitCodes.InternalError;
        }
        catch (Exception e) when (dump is not null && e is IOException or UnauthorizedAccessException)
        {
            return io.Usage($"--dump {dump}: {e.Message}");
        }
    }

    private static string? Validate(SiteStoreOptions o, int budgetMs) =>
        o.ZstdLevel is < 1 or > 22 ? $"--level {o.ZstdLevel} is outside zstd's 1..22"
        : o.BlockRecords < 1 ? $"--block {o.BlockRecords}: a block holds at least one record"
        : o.DictionaryCapacity != 0 && o.DictionaryCapacity < ZstdDictionary.MinCapacity
            ? $"--dict-capacity {o.DictionaryCapacity} is below ZDICT_DICTSIZE_MIN ({ZstdDictionary.MinCapacity}); 0 picks it from the samples"
        : o.Stride < 1 ? $"--stride {o.Stride}: a checkpoint every 1 or more runs"
        : budgetMs < 0 ? $"--budget-ms {budgetMs} is negative"
        : null;

    private static void Print(TextWriter w, ReportFormat format, IReadOnlyList<CompressionResult> results, SiteStoreOptions options)
    {
        switch (format)
        {
            case ReportFormat.Json:
                w.Write(JsonArrays.Document(results, (j, r) => CompressJsonReport.Write(j, r, options)));
                break;
            case ReportFormat.Csv:
                w.WriteLine(CompressCsvReport.Header);
                foreach (var r in results)
                {
                    CompressCsvReport.Write(w, r);
                }

                break;
            default:
                for (var i = 0; i < results.Count; i++)
                {
                    if (i > 0)
                    {
                        w.WriteLine();
                    }

                    CompressTextReport.Write(w, results[i], options);
                }

                break;
        }
    }

    /// <summary>
    /// The site tables of the inputs. A table keeps the site values and the string figures, nothing of its file, so
    /// a single input (read lazily, record by record) is unmapped here as well: the study that follows does not
    /// hold the input's pages (issue 14).
    /// </summary>
    private static List<SiteTable> LoadAll(IReadOnlyList<InputPath> paths) =>
        InputFiles.Decode(paths, (file, lazy) =>
        {
            using (file)
            {
                return SiteTable.From(file, ImageReader.ReadMainline(file, lazy: lazy));
            }
        });

    /// <summary>DIR/&lt;name&gt;.sites per input with records (a repeated name gets .2, .3, ...); each written whole.</summary>
    private static void Dump(string dir, IReadOnlyList<SiteTable> tables)
    {
        Directory.CreateDirectory(dir);
        var used = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var t in tables.Where(t => t.Count > 0))
        {
            var name = Path.GetFileName(t.File);
            var n = used[name] = used.GetValueOrDefault(name) + 1;
            var path = Path.Combine(dir, n == 1 ? $"{name}.sites" : $"{name}.{n}.sites");
            var tmp = path + ".tmp";
            File.WriteAllBytes(tmp, t.ToBytes());
            File.Move(tmp, path, overwrite: true);
        }
    }
}
