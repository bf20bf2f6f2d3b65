using System.CommandLine;
using System.Text.Json;
using DynDbg.ElfSim.Control;
using DynDbg.ElfSim.DynDbg;
using DynDbg.ElfSim.Elf;
using DynDbg.ElfSim.Reports;

namespace DynDbg.ElfSim.Cli;

/// <summary>
/// <c>load FILE... [--profile P] [--control] [--format text|json]</c>: read each input, decode its dyndbg table
/// and print the summary, or the control file a 6.1 kernel would show once the inputs are loaded in order.
/// </summary>
public static class LoadCommand
{
    public static Command Create(CliOutput io)
    {
        var files = new Argument<string[]>("FILE") { Description = "ELF inputs: vmlinux, vmlinux.o, .ko or .o", Arity = ArgumentArity.OneOrMore };
        var profile = new Option<string>("--profile") { Description = "layout profile name (e.g. v6.1-64le-jl) or 'auto'", DefaultValueFactory = _ => "auto" };
        var control = new Option<bool>("--control") { Description = "print /proc/dynamic_debug/control as a 6.1 kernel would" };
        var format = new Option<string>("--format") { Description = "text or json", DefaultValueFactory = _ => "text" };
        format.AcceptOnlyFromAmong("text", "json");
        var cmd = new Command("load", "decode the dyndbg tables of ELF inputs and print them") { files, profile, control, format };
        cmd.SetAction(r => Run(io, r.GetValue(files)!, r.GetValue(profile)!, r.GetValue(control), r.GetValue(format)!));
        return cmd;
    }

    public static int Run(CliOutput io, IReadOnlyList<string> paths, string profileName, bool control, string format)
    {
        DdebugLayout? forced = null;
        if (!string.Equals(profileName, "auto", StringComparison.OrdinalIgnoreCase))
        {
            forced = DdebugLayout.ByName(profileName);
            if (forced is null)
            {
                return io.Usage($"unknown --profile '{profileName}'; known: auto, {string.Join(", ", DdebugLayout.All.Select(l => l.Name))}");
            }
        }

        var files = new List<ElfFile>();
        try
        {
            var images = new List<DyndbgImage>();
            foreach (var p in paths)
            {
                var file = ElfFile.Open(p);
                files.Add(file);
                images.Add(DyndbgImage.Load(file, forced));
            }

            if (format == "json")
            {
                using var j = new Utf8JsonWriter(((StreamWriter)io.Out).BaseStream, new JsonWriterOptions { Indented = true });
                io.Out.Flush();
                if (images.Count > 1)
                {
                    j.WriteStartArray();
                }

                foreach (var image in images)
                {
                    LoadJsonReport.Write(j, image, control);
                }

                if (images.Count > 1)
                {
                    j.WriteEndArray();
                }

                j.Flush();
                io.Out.Write('\n');
            }
            else if (control)
            {
                ControlFileWriter.Write(io.Out, images);
            }
            else
            {
                for (var i = 0; i < images.Count; i++)
                {
                    if (i > 0)
                    {
                        io.Out.WriteLine();
                    }

                    LoadTextReport.Write(io.Out, images[i]);
                }
            }

            io.Out.Flush();
            return ExitCodes.Ok;
        }
        catch (ElfFormatException e)
        {
            return io.Fail(e);
        }
        finally
        {
            foreach (var f in files)
            {
                f.Dispose();
            }
        }
    }
}
