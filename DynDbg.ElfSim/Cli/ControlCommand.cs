using System.CommandLine;
using System.Text;
using System.Text.Json;
using DynDbg.ElfSim.Control;
using DynDbg.ElfSim.Diagnostics;
using DynDbg.ElfSim.DynDbg;
using DynDbg.ElfSim.Elf;
using DynDbg.ElfSim.Reports;

namespace DynDbg.ElfSim.Cli;

/// <summary>
/// <c>control FILE... [QUERY...] [--query Q]...</c>: load the images in order (built-in images add their
/// tables as <c>dynamic_debug_init</c> does, so a vmlinux belongs first; modules are added as insmod would), write each query to the emulated <c>/proc/dynamic_debug/control</c> as
/// 6.1 does, and print the control file (after every write with <c>--steps</c>). Exit 1 when a write fails.
/// </summary>
public static class ControlCommand
{
    public static Command Create(CliOutput io)
    {
        var args = new Argument<string[]>("FILE-OR-QUERY")
        {
            Description = "inputs (leading arguments that name files: a vmlinux/vmlinux.o first, then modules in insmod order), then queries",
            Arity = ArgumentArity.OneOrMore,
        };
        var query = new Option<string[]>("--query", "-q") { Description = "one write to the control file (repeatable; after the positional queries)" };
        var echo = new Option<bool>("--echo") { Description = "end every write with a newline, as `echo Q > control` does" };
        var steps = new Option<bool>("--steps") { Description = "after every write, print its return code, its kernel log lines and the control file" };
        var changed = new Option<bool>("--changed") { Description = "print only the control lines a write changed, as -before/+after pairs (per step with --steps)" };
        var sites = new Option<bool>("--sites") { Description = "after the control file, print every site's flags, static key and pr_debug prefix" };
        var verbose = new Option<int>("--verbose") { Description = "dynamic_debug.verbose (0-4): which pr_info lines the kernel logs" };
        var letters = new Option<string>("--flags") { Description = "flag letters: pmflt (6.1) or pmfslt (later mainline, with s)", DefaultValueFactory = _ => "pmflt" };
        letters.AcceptOnlyFromAmong(FlagLetters.All.Select(f => f.Name).ToArray());
        var trim = new Option<string>("--trim-prefix") { Description = "build-tree prefix that trim_prefix removes from file names", DefaultValueFactory = _ => "" };
        var pid = new Option<int>("--pid") { Description = "task pid shown by the t flag in --sites prefixes", DefaultValueFactory = _ => 1 };
        var intr = new Option<bool>("--interrupt") { Description = "prefixes as printed in interrupt context (<intr> for t)" };
        var profile = new Option<string>("--profile") { Description = "layout profile name (e.g. v6.1-64le-jl) or 'auto'", DefaultValueFactory = _ => "auto" };
        var format = new Option<string>("--format") { Description = "text or json", DefaultValueFactory = _ => "text" };
        format.AcceptOnlyFromAmong("text", "json");
        var diet = new Option<string?>("--diet")
        {
            Description = "read the inputs as diet-plan images of this variant (v5, v5-nosite, v6); images with __dyndbg_sites are diet images anyway",
        };
        diet.AcceptOnlyFromAmong("v5", "v5-nosite", "v6");
        var cmd = new Command("control", "apply queries to /proc/dynamic_debug/control as a 6.1 kernel would and print it")
        {
            args, query, echo, steps, changed, sites, verbose, letters, trim, pid, intr, profile, format, diet,
        };
        cmd.SetAction(r => Run(io, new ControlOptions(
            r.GetValue(args)!, r.GetValue(query) ?? [], r.GetValue(echo), r.GetValue(steps), r.GetValue(sites), r.GetValue(verbose),
            FlagLetters.ByName(r.GetValue(letters)!)!, r.GetValue(trim)!, r.GetValue(pid), r.GetValue(intr), r.GetValue(profile)!,
            ReportFormats.Parse(r.GetValue(format)!), r.GetValue(diet), r.GetValue(changed))));
        return cmd;
    }

    public static int Run(CliOutput io, ControlOptions o)
    {
        if (!CliInputs.TryProfile(io, o.Profile, out var forced, out var exitCode))
        {
            return exitCode;
        }

        if (o.Changed && o.Format == ReportFormat.Json)
        {
            return io.Usage("--changed applies to the text output; the JSON has every step's control file with --steps");
        }

        if (o.Verbose < 0)
        {
            return io.Usage($"--verbose {o.Verbose}: dynamic_debug.verbose is 0 or more");
        }

        // Leading arguments that name files are inputs (the first always is); the rest are queries. A query that
        // is also a file name can be given with --query.
        var files = o.Positionals.TakeWhile((p, i) => i == 0 || File.Exists(p)).ToList();
        var queries = o.Positionals.Skip(files.Count).Concat(o.Queries).ToList();
        if (CliInputs.UnknownOption(files.Concat(queries.Where(q => q.StartsWith("--", StringComparison.Ordinal)))) is { } unknown)
        {
            return io.Usage($"unknown option '{unknown}' for control");
        }

        var dietVariant = o.Diet is null ? (DietVariant?)null : DietLayout.ParseVariant(o.Diet);
        List<KernelImage> inputs;
        try
        {
            inputs = InputFiles.Decode(files, (file, lazy) => ImageReader.Read(file, forced, dietVariant, lazy), io.ProgressFor(files.Count), "control");
        }
        catch (DiagnosticException e)
        {
            return io.Fail(e);
        }

        // One kernel runs one dyndbg: every input is a diet image of one variant, or none is.
        var diets = inputs.OfType<DietImage>().ToList();
        if ((diets.Count > 0 || dietVariant is not null) && diets.Count != inputs.Count)
        {
            var odd = files[inputs.FindIndex(x => x is not DietImage)];
            return io.Usage(diets.Count > 0
                ? $"{odd}: not a diet-plan image (no __dyndbg_sites), but {diets[0].File.Path} is; one kernel runs one dyndbg"
                : $"{odd}: --diet {o.Diet}, but it is not a diet-plan image (no __dyndbg_sites)");
        }

        if (diets.Select(d => d.Layout.Variant).Distinct().Skip(1).Any())
        {
            return io.Usage($"inputs of different diet variants ({string.Join(", ", diets.Select(d => DietLayout.VariantName(d.Layout.Variant)).Distinct())}); name one with --diet");
        }

        if (diets.Count > 0 && o.Letters != FlagLetters.Linux61)
        {
            return io.Usage($"--flags {o.Letters.Name}: a diet kernel has its own letters ({FlagLetters.DietV5.Name})");
        }

        var control = new DyndbgControl(diets.Count > 0 ? null : o.Letters, o.Verbose, o.TrimPrefix, diets.FirstOrDefault()?.Layout.Variant);
        var summaries = new List<ControlImageSummary>(inputs.Count);
        for (var i = 0; i < inputs.Count; i++)
        {
            var before = control.Tables.Count;
            if (control.Load(inputs[i]) == -Errno.EEXIST)
            {
                return io.Usage($"{files[i]}: module '{control.Refused}' is already loaded; a second insmod fails with -EEXIST");
            }

            summaries.Add(ControlImageSummary.Of(inputs[i], control, before));
        }

        var bootLog = control.Log.Lines.ToArray();
        var json = o.Format == ReportFormat.Json;
        if (!json)
        {
            foreach (var line in bootLog)
            {
                io.Error.WriteLine(line.Text);
            }
        }

        // Text steps are printed as they happen (a whole module tree's control file is megabytes per step);
        // JSON keeps each step's control file for the document.
        var runSteps = new List<ControlStep>(queries.Count);
        var first = o.Changed && !json ? ControlFileWriter.Render(control) : null;
        var previous = first;
        for (var i = 0; i < queries.Count; i++)
        {
            var text = o.Echo ? queries[i] + "\n" : queries[i];
            var step = new ControlStep(i + 1, text, control.Write(Encoding.UTF8.GetBytes(text)), json && o.Steps ? ControlFileWriter.Render(control) : null);
            runSteps.Add(step);
            if (!json && o.Steps)
            {
                ControlTextReport.WriteStepHeader(io.Out, step.Number, step.Text, step.Result);
                if (previous is not null)
                {
                    var now = ControlFileWriter.Render(control);
                    ControlTextReport.WriteChanged(io.Out, previous, now);
                    previous = now;
                }
                else
                {
                    ControlFileWriter.Write(io.Out, control);
                }
            }
        }

        if (json)
        {
            io.Out.Write(JsonArrays.Text(j => ControlJsonReport.Write(j, files, summaries, control, bootLog, runSteps, o.Sites, o.Pid, o.Interrupt)));
        }
        else
        {
            WriteText(io, o, control, runSteps, first);
        }

        io.Out.Flush();
        foreach (var s in runSteps.Where(s => s.Result.Failed))
        {
            io.Error.WriteLine(ControlTextReport.FailureLine(s.Number, s.Text, s.Result));
        }

        return runSteps.Any(s => s.Result.Failed) ? ExitCodes.CheckFailed : ExitCodes.Ok;
    }

    /// <summary>
    /// Text: the kernel log goes to stderr as dmesg would show it (with --steps, each write's lines went with its
    /// step instead); stdout ends with the control file (unless the steps printed it) and the sites.
    /// </summary>
    private static void WriteText(CliOutput io, ControlOptions o, DyndbgControl control, List<ControlStep> runSteps, string? beforeWrites)
    {
        if (!o.Steps)
        {
            foreach (var line in runSteps.SelectMany(s => s.Result.Log))
            {
                io.Error.WriteLine(line.Text);
            }

            if (beforeWrites is not null)
            {
                ControlTextReport.WriteChanged(io.Out, beforeWrites, ControlFileWriter.Render(control));
            }
            else
            {
                ControlFileWriter.Write(io.Out, control);
            }
        }

        if (o.Sites)
        {
            ControlTextReport.WriteSites(io.Out, control, o.Pid, o.Interrupt);
        }
    }
}
