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

        // System.CommandLine hands unknown options to the FILE argument; a missing file named "--x" would be a
        // confusing ELF031, so say what it is.
        if (paths.FirstOrDefault(p => p.StartsWith('-') && !File.Exists(p)) is { } unknown)
        {
            return io.Usage($"unknown option '{unknown}' for load");
        }

        List<DyndbgImage> images;
        try
        {
            images = LoadAll(paths, forced);
            if (format == "json")
            {
                JsonOutput.Write(io.Out, images, (j, image) => LoadJsonReport.Write(j, image, control));
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

    /// <summary>
    /// Decodes the inputs on every core, keeping their order. Each file is unmapped as soon as its records are
    /// decoded (the model holds strings, not spans), so a module tree does not keep thousands of maps open.
    /// If any input fails, the first failing one in command-line order is reported and nothing is printed.
    /// </summary>
    private static List<DyndbgImage> LoadAll(IReadOnlyList<string> paths, DdebugLayout? forced) =>
        InputFiles.Decode(paths, file => DyndbgImage.Load(file, forced));
}
