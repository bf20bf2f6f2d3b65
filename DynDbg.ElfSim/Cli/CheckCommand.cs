using System.CommandLine;
using System.Diagnostics;
using DynDbg.ElfSim.Checks;
using DynDbg.ElfSim.DynDbg;
using DynDbg.ElfSim.Elf;
using DynDbg.ElfSim.Reports;

namespace DynDbg.ElfSim.Cli;

/// <summary>
/// <c>check PATH... [--diet v5|v5-nosite|v6] [--format text|json|junit|sarif|github] [--jobs N] [--failures-only]</c>: invariant checks for CI over
/// files and directory trees (walked for ELF files), in parallel, results streamed in path order.
/// Exit 0 all passed (hazards allowed), 1 a check failed, 2 an input could not be read.
/// </summary>
public static class CheckCommand
{
    public static Command Create(CliOutput io)
    {
        var paths = new Argument<string[]>("PATH") { Description = "ELF files or directories (walked for ELF files)", Arity = ArgumentArity.OneOrMore };
        var diet = new Option<string?>("--diet") { Description = "check diet inputs as this variant: v5, v5-nosite or v6" };
        diet.AcceptOnlyFromAmong("v5", "v5-nosite", "v6");
        var format = new Option<string>("--format")
        {
            Description = "text, json, junit, sarif (SARIF 2.1.0, for code scanning) or github (workflow annotations)", DefaultValueFactory = _ => "text",
        };
        format.AcceptOnlyFromAmong("text", "json", "junit", "sarif", "github");
        var failuresOnly = new Option<bool>("--failures-only") { Description = "report only the files that failed or could not be read (the summary still counts all)" };
        var jobs = new Option<int?>("--jobs") { Description = "parallel checks (default: the number of cores)" };
        var cmd = new Command("check", "check the dyndbg (and diet-plan) invariants of ELF files for CI") { paths, diet, format, jobs, failuresOnly };
        cmd.SetAction(r => Run(io, r.GetValue(paths)!, r.GetValue(diet), ReportFormats.Parse(r.GetValue(format)!), r.GetValue(jobs) ?? Environment.ProcessorCount, r.GetValue(failuresOnly)));
        return cmd;
    }

    public static int Run(CliOutput io, IReadOnlyList<string> roots, string? diet, ReportFormat format, int jobs, bool failuresOnly = false)
    {
        if (jobs < 1)
        {
            return io.Usage("--jobs takes a whole number of 1 or more");
        }

        if (CliInputs.UnknownOption(roots) is { } unknown)
        {
            return io.Usage($"unknown option '{unknown}' for check");
        }

        // (path, found by walking a directory): walked files that are not ELF are skipped, on the worker threads,
        // so the 4023 opens of a module tree's magic check no longer run one after another before any check.
        // A missing or non-ELF file named on the command line is reported as unreadable, with its error.
        var files = InputFiles.Expand(roots);

        var variant = diet is null ? (DietVariant?)null : DietLayout.ParseVariant(diet);
        var started = DateTime.UtcNow;
        var results = new List<FileCheck>(files.Count);
        var progress = io.ProgressFor(files.Count);
        var failed = 0;
        var flushed = Stopwatch.StartNew();
        // AsOrdered + NotBuffered: each result in path order as soon as it and all before it are done (PLINQ's
        // default merge buffers them in chunks, so nothing showed until late in a run).
        var checks = files.AsParallel().AsOrdered().WithMergeOptions(ParallelMergeOptions.NotBuffered)
            .WithDegreeOfParallelism(jobs).Select(f => f.Walked ? FileCheck.RunIfElf(f.Path, variant) : FileCheck.Run(f.Path, variant));
        var seen = 0;
        foreach (var c in checks)
        {
            seen++;
            if (c is null)
            {
                continue;
            }

            results.Add(c);
            failed += c.Failed ? 1 : 0;
            if (format is ReportFormat.Text or ReportFormat.GitHub && (!failuresOnly || c.Failed))
            {
                if (io.OutIsTerminal)
                {
                    progress.Clear();
                }

                if (format == ReportFormat.Text)
                {
                    CheckReport.WriteText(io.Out, c);
                }
                else
                {
                    CheckCiReport.WriteGitHub(io.Out, c);
                }

                // Each result reaches a terminal at once; a pipe or file (a CI log) gets them at least every 100 ms.
                if (io.OutIsTerminal || flushed.ElapsedMilliseconds >= 100)
                {
                    io.Out.Flush();
                    flushed.Restart();
                }
            }

            progress.Report(() => $"check: {seen}/{files.Count} files, {failed} failed, {progress.Seconds:0.0} s");
        }

        progress.Clear();

        // --failures-only thins the per-file reports; the text summary still counts every file.
        var shown = failuresOnly ? results.Where(c => c.Failed).ToList() : results;
        var totals = CheckTotals.Of(results, started, DateTime.UtcNow - started);
        switch (format)
        {
            case ReportFormat.Text:
                CheckReport.WriteSummary(io.Out, totals);
                break;
            case ReportFormat.GitHub:
                break;
            case ReportFormat.Json:
                io.Out.Write(CheckReport.Json(shown, totals));
                break;
            case ReportFormat.Sarif:
                io.Out.Write(CheckCiReport.Sarif(shown, Program.Version));
                break;
            default:
                io.Out.Write(CheckReport.JUnit(shown, started));
                break;
        }

        io.Out.Flush();
        return results.Any(c => c.Unreadable is not null) ? ExitCodes.BadInput
            : results.Any(c => c.Failed) ? ExitCodes.CheckFailed
            : ExitCodes.Ok;
    }
}
