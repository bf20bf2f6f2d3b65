using System.CommandLine;
using DynDbg.ElfSim.Arch;
using DynDbg.ElfSim.Checks;
using DynDbg.ElfSim.Control;
using DynDbg.ElfSim.Diagnostics;
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
        var coreBase = new Option<string?>("--base") { Description = "with --sections or diet images: address of the module core allocation (hex)" };
        var initBase = new Option<string?>("--init-base") { Description = "with --sections: address of the init allocation (hex)" };
        var config = new Option<string?>("--kernel-config") { Description = "with --sections: a kernel .config (default: Debian 12 amd64 choices)" };
        var cpu = new Option<string>("--cpu") { Description = "with --sections on arm64: the CPU the module is loaded on; cortex-a53 has erratum 843419, which changes PLT sizes and text alignment", DefaultValueFactory = _ => ModuleArchOptions.DefaultCpu };
        cpu.AcceptOnlyFromAmong([.. ModuleArchOptions.Cpus]);
        var dump = new Option<string[]>("--dump") { Description = "with --sections: print the loaded, relocated bytes of this section (readelf -x style); repeatable", AllowMultipleArgumentsPerToken = false };
        var symbols = new Option<string?>("--symbols") { Description = "with --sections: resolve undefined symbols from this /proc/kallsyms or System.map, as simplify_symbols would (an unknown one is the kernel's refusal)" };
        var script = new Option<string?>("-T", "--script") { Description = $"link the inputs with this linker script first (a file, or bundled: {string.Join(", ", BundledScripts.Names)}); several inputs are linked with module.lds when it is not given" };
        var separate = new Option<bool>("--separate") { Description = "decode each input on its own, without linking (modules loaded one after another)" };
        var diet = new Option<string?>("--diet") { Description = "read the inputs as diet-plan images of this variant (v5, v5-nosite, v6) and emulate their load; diet images are recognised without it" };
        diet.AcceptOnlyFromAmong("v5", "v5-nosite", "v6");
        var cmd = new Command("load", "decode the dyndbg tables of ELF inputs (linking several first) and print them")
        {
            files, script, separate, profile, control, format, sections, coreBase, initBase, config, cpu, dump, symbols, diet,
        };
        cmd.SetAction(r => !r.GetValue(sections) && (r.GetValue(initBase) ?? r.GetValue(config) ?? r.GetValue(symbols) ?? (r.GetValue(dump) is { Length: > 0 } ? "dump" : null)) is not null
            ? io.Usage($"{(r.GetValue(initBase) is not null ? "--init-base" : r.GetValue(config) is not null ? "--kernel-config" : r.GetValue(symbols) is not null ? "--symbols" : "--dump")} applies to --sections only")
            : r.GetValue(sections)
            ? LoadSectionsMode.Run(io, r.GetValue(files)!, r.GetValue(coreBase), r.GetValue(initBase), r.GetValue(config), ReportFormats.Parse(r.GetValue(format)!),
                ModuleArchOptions.ForCpu(r.GetValue(cpu)!), r.GetValue(dump) ?? [], r.GetValue(symbols))
            : Run(io, r.GetValue(files)!, r.GetValue(profile)!, r.GetValue(control), r.GetValue(format)!, r.GetValue(script), r.GetValue(separate),
                r.GetValue(diet), r.GetValue(coreBase)));
        return cmd;
    }

    /// <summary>The script several inputs are linked with when <c>--script</c> is not given.</summary>
    public const string DefaultScript = "module.lds";

    /// <summary>Checks the command line into <see cref="LoadOptions"/>, then <see cref="Run(CliOutput, LoadOptions)"/>.</summary>
    public static int Run(CliOutput io, IReadOnlyList<string> paths, string profileName, bool control, string format,
        string? script = null, bool separate = false, string? diet = null, string? coreBase = null)
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

        if (!LoadSectionsMode.TryAddress(coreBase, out var parsedBase))
        {
            return io.Usage($"--base takes a hexadecimal address, got '{coreBase}'");
        }

        var variant = diet is null ? null : DietLayout.ParseVariant(diet);
        return Run(io, new LoadOptions(paths, forced, variant, control, ReportFormats.Parse(format), script, separate, parsedBase));
    }

    /// <summary>
    /// Read each input once (or the image linked from all of them), load it as the kernel would meet it, print one
    /// report per image. Exit 1 when a diet image fails a check or the kernel would refuse its load.
    /// </summary>
    public static int Run(CliOutput io, LoadOptions o)
    {
        List<LoadOutcome> outcomes;
        try
        {
            outcomes = o.Links
                ? [LoadLinked(o)]
                : InputFiles.Decode(o.Paths, (file, lazy) => Load(file, o, module: null, lazy), io.ProgressFor(o.Paths.Count), "load");
        }
        catch (DiagnosticException e)
        {
            return io.Fail(e);
        }

        if (o.CoreBase is not null && outcomes.All(x => x.Load is null))
        {
            return io.Usage("--base applies to --sections and to the load of diet images; none of the inputs is one");
        }

        if (outcomes.FirstOrDefault(x => x.Refusal is not null) is { } refused)
        {
            // The input was read; the kernel's loader would refuse it (LDRnnn): a failed check, not bad input.
            io.Out.Flush();
            io.Error.WriteLine(refused.Refusal);
            return ExitCodes.CheckFailed;
        }

        if (o.Control && o.Format == ReportFormat.Text)
        {
            ControlFileWriter.Write(io.Out, outcomes.Select(x => (MainlineImage)x.Image));
            io.Out.Flush();
        }
        else
        {
            io.Print(outcomes, o.Format, (j, x) => LoadJsonReport.Write(j, x, o.Control), LoadTextReport.Write);
        }

        return outcomes.Any(x => x.Failed) ? ExitCodes.CheckFailed : ExitCodes.Ok;
    }

    /// <summary>
    /// One image: read once, then loaded as its case needs. <c>--control</c> shows the 6.1 control file, so it reads
    /// mainline tables only; <c>--diet</c> names the variant of diet images and does not transform mainline ones.
    /// </summary>
    private static LoadOutcome Load(ElfFile file, LoadOptions o, bool? module, bool lazy)
    {
        if (o.Control)
        {
            return new LoadOutcome(ImageReader.ReadMainline(file, o.Profile, lazy), null, [], null);
        }

        var image = LoadOutcome.Read(file, o.Profile, o.Diet, lazy);

        if (image is DietImage && o.Script is not null && o.Script.Contains("vmlinux", StringComparison.Ordinal))
        {
            throw new UsageException(UsageErrorIds.Usage, file.Path, "file", null,
                "load links diet inputs as a module; give a vmlinux.o on its own and it is linked with the diet vmlinux script");
        }

        return LoadOutcome.Of(file, image, module, o.CoreBase);
    }

    /// <summary>
    /// Links the inputs under the script (GNU ld's rules, as <c>link</c> does) and loads the image in memory as one
    /// module. Inputs that cannot be linked together (a linked vmlinux, another architecture, two modules that both
    /// define init_module) say that <c>--separate</c> is the way to read them side by side.
    /// </summary>
    private static LoadOutcome LoadLinked(LoadOptions o)
    {
        try
        {
            using var file = Linker.LinkToMemory(o.Paths, o.Script ?? DefaultScript);
            return Load(file, o, module: true, lazy: false); // the linked image is freed on return
        }
        catch (DiagnosticException e) when (e.Id is LinkErrorIds.LinkInputType or LinkErrorIds.LinkIncompatibleInput or LinkErrorIds.LinkMultipleDefinition
                                           && o.Paths.Count > 1)
        {
            throw e.WithHint("load links several inputs into one image, --separate decodes each on its own");
        }
    }
}
