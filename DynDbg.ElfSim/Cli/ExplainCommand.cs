using System.CommandLine;
using DynDbg.ElfSim.Diagnostics;
using DynDbg.ElfSim.Elf;
using DynDbg.ElfSim.Linking;
using DynDbg.ElfSim.Reports;

namespace DynDbg.ElfSim.Cli;

/// <summary>
/// <c>explain -T SCRIPT [--linkonce gnu|lld] [--format text|json] INPUT...</c>: the teaching view of <c>ld -r -T SCRIPT</c>: where every
/// input section went and which script line (or orphan rule) put it there, where the .gnu.linkonce headers
/// landed, and the sections before and after. Writes nothing to disk.
/// </summary>
public static class ExplainCommand
{
    public static Command Create(CliOutput io)
    {
        var inputs = new Argument<string[]>("INPUT") { Description = "relocatable objects (.o, .ko), in link order", Arity = ArgumentArity.OneOrMore };
        var script = new Option<string>("-T", "--script") { Description = $"linker script: a file, or a bundled one ({string.Join(", ", BundledScripts.Names)})", Required = true };
        var linkOnce = new Option<string>("--linkonce") { Description = "gnu (GNU ld) or lld: how .gnu.linkonce.* copies are treated", DefaultValueFactory = _ => "gnu" };
        linkOnce.AcceptOnlyFromAmong("gnu", "lld");
        var format = new Option<string>("--format") { Description = "text, or json (the model `report` draws its layout panel from)", DefaultValueFactory = _ => "text" };
        format.AcceptOnlyFromAmong("text", "json");
        var cmd = new Command("explain", "show where ld -r -T SCRIPT puts every input section, and why") { inputs, script, linkOnce, format };
        cmd.SetAction(r => Run(io, r.GetValue(inputs)!, r.GetValue(script)!, r.GetValue(linkOnce)!, ReportFormats.Parse(r.GetValue(format)!)));
        return cmd;
    }

    public static int Run(CliOutput io, IReadOnlyList<string> inputs, string scriptPath, string linkOnce, ReportFormat format = ReportFormat.Text)
    {
        if (inputs.FirstOrDefault(p => p.StartsWith('-') && !File.Exists(p)) is { } unknown)
        {
            return io.Usage($"unknown option '{unknown}' for explain");
        }

        var rule = linkOnce == "lld" ? LinkOnceRule.Lld : LinkOnceRule.Gnu;
        try
        {
            Linker.WithLink(inputs, scriptPath, new LinkOptions("(explain)", rule), link =>
            {
                if (format == ReportFormat.Json)
                {
                    var view = TeachingReportBuilder.Layout(link, rule == LinkOnceRule.Gnu ? "gnu" : "lld", link.Script, []);
                    io.Out.Write(JsonArrays.Document([view], ExplainJsonReport.Write));
                }
                else
                {
                    LinkExplainReport.Write(io.Out, link, inputs, scriptPath);
                }

                return 0;
            });
            io.Out.Flush();
            return ExitCodes.Ok;
        }
        catch (DiagnosticException e)
        {
            return io.Fail(e);
        }
    }
}
