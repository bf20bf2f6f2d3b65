using System.CommandLine;
using System.Text.Json;
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
        var script = new Option<string?>("-T", "--script") { Description = $"link the inputs with this linker script first (a file, or bundled: {string.Join(", ", BundledScripts.Names)}); several inputs are linked with module.lds when it is not given" };
        var separate = new Option<bool>("--separate") { Description = "decode each input on its own, without linking (modules loaded one after another)" };
        var cmd = new Command("load", "decode the dyndbg tables of ELF inputs (linking several first) and print them") { files, script, separate, profile, control, format };
        cmd.SetAction(r => Run(io, r.GetValue(files)!, r.GetValue(profile)!, r.GetValue(control), r.GetValue(format)!, r.GetValue(script), r.GetValue(separate)));
        return cmd;
    }

    /// <summary>The script several inputs are linked with when <c>--script</c> is not given.</summary>
    public const string DefaultScript = "module.lds";

    public static int Run(CliOutput io, IReadOnlyList<string> paths, string profileName, bool control, string format,
        string? script = null, bool separate = false)
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

        if (separate && script is not null)
        {
            return io.Usage("--separate and --script exclude each other: --script links the inputs into one image");
        }

        List<DyndbgImage> images;
        try
        {
            images = separate || (paths.Count == 1 && script is null)
                ? LoadAll(paths, forced)
                : [LoadLinked(paths, script ?? DefaultScript, forced)];
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

    /// <summary>
    /// Decodes the inputs on every core, keeping their order. Each file is unmapped as soon as its records are
    /// decoded (the model holds strings, not spans), so a module tree does not keep thousands of maps open.
    /// If any input fails, the first failing one in command-line order is reported and nothing is printed.
    /// </summary>
    private static List<DyndbgImage> LoadAll(IReadOnlyList<string> paths, DdebugLayout? forced)
    {
        var images = new DyndbgImage?[paths.Count];
        var errors = new ElfFormatException?[paths.Count];
        Parallel.For(0, paths.Count, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, i =>
        {
            try
            {
                using var file = ElfFile.Open(paths[i]);
                images[i] = DyndbgImage.Load(file, forced);
            }
            catch (ElfFormatException e)
            {
                errors[i] = e;
            }
        });

        if (errors.FirstOrDefault(e => e is not null) is { } first)
        {
            throw first;
        }

        return images.Select(x => x!).ToList();
    }

    /// <summary>
    /// Links the inputs under the script (GNU ld's rules, as <c>link</c> does) and decodes the image in memory. The
    /// image is named after the command that would make it. Inputs that cannot be linked together (a linked
    /// vmlinux, another architecture, two modules that both define init_module) say that <c>--separate</c> is the
    /// way to read them side by side.
    /// </summary>
    private static DyndbgImage LoadLinked(IReadOnlyList<string> paths, string script, DdebugLayout? forced)
    {
        var name = $"ld -r -T {script} {string.Join(' ', paths)}";
        try
        {
            var bytes = LinkCommand.WithLink(paths, script, new LinkOptions(name), link => link.ToElf().ToArray());
            using var file = ElfFile.FromBytes(name, bytes);
            return DyndbgImage.Load(file, forced);
        }
        catch (ElfFormatException e) when (e.Id is ErrorIds.LinkInputType or ErrorIds.LinkIncompatibleInput or ErrorIds.LinkMultipleDefinition
                                           && paths.Count > 1)
        {
            throw new ElfFormatException(e.Id, e.File, e.Where, e.Offset,
                $"{e.Message}; load links several inputs into one image, --separate decodes each on its own");
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
