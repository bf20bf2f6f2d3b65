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
        if (!CliInputs.TryProfile(io, profileName, out var forced, out var exitCode))
        {
            return exitCode;
        }

        if (CliInputs.UnknownOption(paths) is { } unknown)
        {
            return io.Usage($"unknown option '{unknown}' for load");
        }

        List<DyndbgImage> images;
        try
        {
            images = CliInputs.LoadAll(paths, forced);
            if (format == "json")
            {
                var buffer = new System.Buffers.ArrayBufferWriter<byte>(1 << 16);
                using (var j = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
                {
                    WriteJson(j, images, control);
                }

                io.Out.Write(System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan));
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
    }

    private static void WriteJson(Utf8JsonWriter j, List<DyndbgImage> images, bool control)
    {
        // One object per input; an array when there are several (as llvm-readobj and `compress` do).
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
    }
}
