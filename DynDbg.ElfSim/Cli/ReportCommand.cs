using System.CommandLine;
using System.Text;
using DynDbg.ElfSim.Diagnostics;
using DynDbg.ElfSim.DynDbg;
using DynDbg.ElfSim.Elf;
using DynDbg.ElfSim.Linking;
using DynDbg.ElfSim.Reports;

namespace DynDbg.ElfSim.Cli;

/// <summary>
/// <c>report INPUT... [-T SCRIPT] [--diet V] [--vs-script S2] [--vs FILE...] -o FILE.html</c> (issue 17): the teaching view as one self-contained HTML
/// page: the link (as <c>explain</c> sees it, with lld's rule beside it), the module load (as <c>load --sections</c>),
/// the diet indirection and the findings (as <c>load</c>). Written whole or not at all; exit 1 when the page shows
/// a broken invariant or a load the kernel would refuse, as <c>load</c> does. With <c>--vs-script</c> or <c>--vs</c>,
/// a before/after panel compares the output sections with a second link (bloat-o-meter's totals).
/// </summary>
public static class ReportCommand
{
    public static Command Create(CliOutput io)
    {
        var inputs = new Argument<string[]>("INPUT") { Description = "relocatable objects (.o, .ko) to link in this order, or one linked image (vmlinux)", Arity = ArgumentArity.OneOrMore };
        var script = new Option<string?>("-T", "--script") { Description = $"linker script (a file, or bundled: {string.Join(", ", BundledScripts.Names)}); default {BundledScripts.Default}" };
        var diet = new Option<string?>("--diet") { Description = "read the image as a diet-plan image of this variant (v5, v5-nosite, v6); diet images are recognised without it" };
        diet.AcceptOnlyFromAmong("v5", "v5-nosite", "v6");
        var output = new Option<string>("-o", "--output") { Description = "the HTML file to write", Required = true };
        var vsScript = new Option<string?>("--vs-script") { Description = "before/after panel: compare with the same inputs linked under this script (the \"before\")" };
        var vs = new Option<string[]>("--vs")
        {
            Description = "before/after panel: compare with these relocatable inputs (e.g. the mainline objects of a diet build), linked under --vs-script or -T",
            AllowMultipleArgumentsPerToken = true,
        };
        var cmd = new Command("report", "draw the link, the module load and the diet indirection as one self-contained HTML page")
        {
            inputs, script, diet, output, vsScript, vs,
        };
        cmd.SetAction(r =>
        {
            var vsInputs = r.GetValue(vs) is { Length: > 0 } v ? v : null;
            var compare = vsInputs is null && r.GetValue(vsScript) is null ? null : new VsLink(r.GetValue(vsScript), vsInputs);
            return Run(io, r.GetValue(inputs)!, r.GetValue(script), r.GetValue(diet), r.GetValue(output)!, compare);
        });
        return cmd;
    }

    public static int Run(CliOutput io, IReadOnlyList<string> inputs, string? script, string? diet, string output, VsLink? vs = null)
    {
        if (CliInputs.UnknownOption([.. inputs, .. vs?.Inputs ?? []]) is { } unknown)
        {
            return io.Usage($"unknown option '{unknown}' for report");
        }

        if (inputs.Concat(script is null ? [] : [script]).Concat(vs?.Inputs ?? []).Concat(vs?.Script is null ? [] : [vs.Script]).FirstOrDefault(i => UnixFileStat.SameFile(i, output)) is { } same)
        {
            return io.Usage($"input file '{same}' is the same as output file '{output}'; nothing was written");
        }

        try
        {
            var report = TeachingReportBuilder.Build(inputs, script, diet is null ? null : DietLayout.ParseVariant(diet), vs);
            AtomicFile.Write(output, stream =>
            {
                using var w = new StreamWriter(stream, new UTF8Encoding(false), 1 << 16, leaveOpen: true) { NewLine = "\n" };
                HtmlReport.Write(w, report);
            });
            return report.Failed ? ExitCodes.CheckFailed : ExitCodes.Ok;
        }
        catch (DiagnosticException e)
        {
            return io.Fail(e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return io.Fail(new UsageException(UsageErrorIds.CannotWriteOutput, output, "output", null, $"cannot write: {e.Message}"));
        }
    }
}
