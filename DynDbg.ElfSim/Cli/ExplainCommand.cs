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
        var format = new Option<string>("--format") { Description = "text, json (the model `report` draws its layout panel from), or html (that panel as a self-contained page)", DefaultValueFactory = _ => "text" };
        format.AcceptOnlyFromAmong("text", "json", "html");
        var output = new Option<string?>("-o", "--output") { Description = "write to this file (whole or not at all) instead of stdout" };
        var cmd = new Command("explain", "show where ld -r -T SCRIPT puts every input section, and why") { inputs, script, linkOnce, format, output };
        cmd.SetAction(r => Run(io, r.GetValue(inputs)!, r.GetValue(script)!, r.GetValue(linkOnce)!, r.GetValue(format)!, r.GetValue(output)));
        return cmd;
    }

    public static int Run(CliOutput io, IReadOnlyList<string> inputs, string scriptPath, string linkOnce, string format = "text", string? output = null)
    {
        if (inputs.FirstOrDefault(p => p.StartsWith('-') && !File.Exists(p)) is { } unknown)
        {
            return io.Usage($"unknown option '{unknown}' for explain");
        }

        if (output is not null && inputs.Append(scriptPath).FirstOrDefault(i => UnixFileStat.SameFile(i, output)) is { } same)
        {
            return io.Usage($"input file '{same}' is the same as output file '{output}'; nothing was written");
        }

        var rule = linkOnce == "lld" ? LinkOnceRule.Lld : LinkOnceRule.Gnu;
        try
        {
            var text = Linker.WithLink(inputs, scriptPath, new LinkOptions("(explain)", rule), link =>
            {
                using var w = new StringWriter { NewLine = "\n" };
                var view = format == "text" ? null : TeachingReportBuilder.Layout(link, rule == LinkOnceRule.Gnu ? "gnu" : "lld", link.Script, []);
                if (format == "json")
                {
                    w.Write(JsonArrays.Document([view!], ExplainJsonReport.Write));
                }
                else if (format == "html")
                {
                    // The same page as report's, panel 1 only, drawn from the model --format json writes.
                    var command = $"ld -r -T {scriptPath}{(rule == LinkOnceRule.Lld ? " (lld's linkonce rule)" : "")} {string.Join(' ', inputs)}";
                    HtmlReport.WriteLayout(w, command, view! with { Rule = rule == LinkOnceRule.Gnu ? "GNU ld: one .gnu.linkonce section per name" : "lld: every .gnu.linkonce copy kept" });
                }
                else
                {
                    LinkExplainReport.Write(w, link, inputs, scriptPath);
                }

                return w.ToString();
            });
            if (output is null)
            {
                io.Out.Write(text);
                io.Out.Flush();
            }
            else
            {
                AtomicFile.Write(output, stream =>
                {
                    using var sw = new StreamWriter(stream, new System.Text.UTF8Encoding(false), 1 << 16, leaveOpen: true);
                    sw.Write(text);
                });
            }

            return ExitCodes.Ok;
        }
        catch (DiagnosticException e)
        {
            return io.Fail(e);
        }
        catch (Exception e) when (output is not null && e is IOException or UnauthorizedAccessException)
        {
            return io.Fail(new UsageException(UsageErrorIds.CannotWriteOutput, output, "output", null, $"cannot write: {e.Message}"));
        }
    }
}
