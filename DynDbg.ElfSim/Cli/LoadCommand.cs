using System.CommandLine;
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
        var sections = new Option<bool>("--sections") { Description = "emulate the 6.1 module loader and print where every allocated section lands" };
        var coreBase = new Option<string?>("--base") { Description = "with --sections: address of the core allocation (hex), to print addresses" };
        var initBase = new Option<string?>("--init-base") { Description = "with --sections: address of the init allocation (hex)" };
        var config = new Option<string?>("--kernel-config") { Description = "with --sections: a kernel .config (default: Debian 12 amd64 choices)" };
        var cmd = new Command("load", "decode the dyndbg tables of ELF inputs and print them")
        {
            files, profile, control, format, sections, coreBase, initBase, config,
        };
        cmd.SetAction(r => r.GetValue(sections)
            ? LoadSectionsMode.Run(io, r.GetValue(files)!, r.GetValue(coreBase), r.GetValue(initBase), r.GetValue(config), r.GetValue(format)!)
            : Run(io, r.GetValue(files)!, r.GetValue(profile)!, r.GetValue(control), r.GetValue(format)!));
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
                io.Out.Write(JsonArrays.Document(images, (j, image) => LoadJsonReport.Write(j, image, control)));
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
}
