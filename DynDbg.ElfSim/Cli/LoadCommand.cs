using System.CommandLine;
using DynDbg.ElfSim.Control;
using DynDbg.ElfSim.DynDbg;
using DynDbg.ElfSim.Elf;
using DynDbg.ElfSim.Linking;
using DynDbg.ElfSim.Reports;

namespace DynDbg.ElfSim.Cli;

/// <summary>
/// <c>load FILE... [--script F | --separate] [--profile P] [--control] [--format text|json]</c>: decode the dyndbg
/// table and print the summary, or the control file a 6.1 kernel would show. One input is decoded as it is;
/// several inputs, or any with <c>--script</c>, are first linked as <c>ld -r -T SCRIPT</c> would link them (the
/// kernel's module link; default script: the bundled module.lds) and the linked image is decoded.
/// <c>--separate</c> decodes each input on its own instead, as modules loaded one after another.
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
        var script = new Option<string?>("-T", "--script") { Description = $"link the inputs with this linker script first (a file, or bundled: {string.Join(", ", BundledScripts.Names)}); several inputs are linked with module.lds when it is not given" };
        var separate = new Option<bool>("--separate") { Description = "decode each input on its own, without linking (modules loaded one after another)" };
        var diet = new Option<string?>("--diet") { Description = "read the inputs as diet-plan images of this variant (v5, v5-nosite, v6) and emulate their load; diet images are recognised without it" };
        diet.AcceptOnlyFromAmong("v5", "v5-nosite", "v6");
        var cmd = new Command("load", "decode the dyndbg tables of ELF inputs (linking several first) and print them")
        {
            files, script, separate, profile, control, format, sections, coreBase, initBase, config, diet,
        };
        cmd.SetAction(r => r.GetValue(sections)
            ? LoadSectionsMode.Run(io, r.GetValue(files)!, r.GetValue(coreBase), r.GetValue(initBase), r.GetValue(config), r.GetValue(format)!)
            : !r.GetValue(control) && LoadDietMode.Applies(r.GetValue(files)!, r.GetValue(diet))
            ? RunDiet(io, r.GetValue(files)!, r.GetValue(diet), r.GetValue(format)!, r.GetValue(script), r.GetValue(separate), r.GetValue(coreBase))
            : Run(io, r.GetValue(files)!, r.GetValue(profile)!, r.GetValue(control), r.GetValue(format)!, r.GetValue(script), r.GetValue(separate)));
        return cmd;
    }

    private static int RunDiet(CliOutput io, string[] files, string? diet, string format, string? script, bool separate, string? coreBase)
    {
        if (CliInputs.UnknownOption(files) is { } unknown)
        {
            return io.Usage($"unknown option '{unknown}' for load");
        }

        return LoadSectionsMode.TryAddress(coreBase, out var parsed)
            ? LoadDietMode.Run(io, files, diet, format, script, separate, parsed)
            : io.Usage($"--base takes a hexadecimal address, got '{coreBase}'");
    }

    /// <summary>The script several inputs are linked with when <c>--script</c> is not given.</summary>
    public const string DefaultScript = "module.lds";

    public static int Run(CliOutput io, IReadOnlyList<string> paths, string profileName, bool control, string format,
        string? script = null, bool separate = false)
    {
        if (!CliInputs.TryProfile(io, profileName, out var forced, out var exitCode))
        {
            return exitCode;
        }

        if (CliInputs.UnknownOption(paths) is { } unknown)
        {
            return io.Usage($"unknown option '{unknown}' for load");
        }

        if (separate && script is not null)
        {
            return io.Usage("--separate and --script exclude each other: --script links the inputs into one image");
        }

        List<MainlineImage> images;
        try
        {
            images = separate || (paths.Count == 1 && script is null)
                ? CliInputs.LoadAll(paths, forced)
                : [LoadLinked(paths, script ?? DefaultScript, forced)];
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

    /// <summary>
    /// Links the inputs under the script (GNU ld's rules, as <c>link</c> does) and decodes the image in memory. The
    /// image is named after the command that would make it. Inputs that cannot be linked together (a linked
    /// vmlinux, another architecture, two modules that both define init_module) say that <c>--separate</c> is the
    /// way to read them side by side.
    /// </summary>
    private static MainlineImage LoadLinked(IReadOnlyList<string> paths, string script, DdebugLayout? forced)
    {
        try
        {
            using var file = Linker.LinkToMemory(paths, script);
            return MainlineImage.Load(file, forced);
        }
        catch (ElfFormatException e) when (e.Id is ErrorIds.LinkInputType or ErrorIds.LinkIncompatibleInput or ErrorIds.LinkMultipleDefinition
                                           && paths.Count > 1)
        {
            throw new ElfFormatException(e.Id, e.File, e.Where, e.Offset,
                $"{e.Message}; load links several inputs into one image, --separate decodes each on its own");
        }
    }
}
