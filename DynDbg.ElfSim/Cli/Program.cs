using System.CommandLine;
using DynDbg.ElfSim.Diagnostics;
using DynDbg.ElfSim.Elf;

namespace DynDbg.ElfSim.Cli;

/// <summary>Entry point: builds the command tree, maps parse errors to exit 2 and never lets a stack trace out.</summary>
public static class Program
{
    public static int Main(string[] args) => Run(args, CliOutput.Console());

    /// <summary>The tool's version (major.minor.patch), as SARIF and the man page name it.</summary>
    /// <summary>The command's name, as users install and call it (the package's ToolCommandName), in every message.</summary>
    public const string Name = "dyndbg-elfsim";

    public static string Version { get; } = typeof(Program).Assembly.GetName().Version?.ToString(3) ?? "0";

    public static int Run(string[] args, CliOutput io)
    {
        var root = CreateRoot(io, args.Length > 0 ? args[0] : null);
        try
        {
            if (args.Length == 0)
            {
                // The bare command shows what there is to run, then says it was not enough (exit 2).
                root.Parse(["--help"]).Invoke(new InvocationConfiguration { Output = io.Out, Error = io.Error });
                return io.Usage("no command given; see the list above");
            }

            if (!args[0].StartsWith('-') && root.Subcommands.All(c => c.Name != args[0]))
            {
                var near = Spelling.Nearest(args[0], root.Subcommands.Select(c => c.Name));
                return io.Usage($"unknown command '{args[0]}'{(near is null ? "" : $"; did you mean '{near}'?")} (commands: {string.Join(", ", root.Subcommands.Select(c => c.Name))})");
            }

            var parse = root.Parse(args);
            if (UnknownOption(parse, args) is { } unknown)
            {
                return io.Usage(unknown);
            }

            if (parse.Errors.Count > 0)
            {
                // One line: System.CommandLine lists the allowed values on lines of their own.
                return io.Usage(string.Join("; ", parse.Errors.Select(e => OneLine(e.Message))));
            }

            var code = parse.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false, Output = io.Out, Error = io.Error });
            io.Out.Flush();
            return code;
        }
        catch (DiagnosticException e)
        {
            return io.Fail(e);
        }
        catch (Exception e)
        {
            io.Out.Flush();
            io.Error.WriteLine($"{Name}: internal error: {e.GetType().Name}: {e.Message}");
            return ExitCodes.InternalError;
        }
    }

    /// <summary>The commands, by the name each is created with (a test checks they agree).</summary>
    internal static readonly (string Name, Func<CliOutput, Command> Create)[] Commands =
    [
        ("load", LoadCommand.Create),
        ("check", CheckCommand.Create),
        ("control", ControlCommand.Create),
        ("compress", CompressCommand.Create),
        ("zram", ZramCommand.Create),
        ("link", LinkCommand.Create),
        ("explain", ExplainCommand.Create),
        ("report", ReportCommand.Create),
        ("diet", DietCommand.Create),
        ("synth", SynthCommand.Create),
    ];

    /// <summary>
    /// The whole command tree, with its help placeholders and examples (the tests parse the examples with it); with
    /// <paramref name="only"/> naming one of <see cref="Commands"/>, the root holds that command alone: building the
    /// other nine was a twentieth of a 15 ms `load --control vmlinux.o`, and no parse of one command looks at them.
    /// </summary>
    public static RootCommand CreateRoot(CliOutput io, string? only = null)
    {
        var root = new RootCommand("DynDbg.ElfSim: see and check Linux dynamic-debug tables and the diet plan on real ELF binaries");
        var one = Array.FindIndex(Commands, c => c.Name == only);
        if (one >= 0)
        {
            root.Add(Commands[one].Create(io));
        }
        else
        {
            foreach (var (_, create) in Commands)
            {
                root.Add(create(io));
            }

            root.Add(CompletionCommand.Create(io, root));
            root.Add(ManPageCommand.Create(io, root));
        }

        NameThePlaceholders(root);
        CommandExamples.AddToHelp(root);
        return root;
    }

    /// <summary>
    /// Commands take positional files, so a mistyped option parses as one; name it, with the nearest real option,
    /// unless a file of that name exists. Only "--" words count: control's queries may start with a single '-'.
    /// </summary>
    private static string? UnknownOption(ParseResult parse, string[] args)
    {
        var command = parse.CommandResult.Command;
        var names = command.Options.SelectMany(o => o.Aliases.Prepend(o.Name)).Append("--help").Append("-h").ToArray();
        foreach (var a in args.Skip(1).TakeWhile(a => a != "--"))
        {
            var word = a.Split('=', 2)[0];
            if (word.StartsWith("--", StringComparison.Ordinal) && !names.Contains(word) && !File.Exists(a))
            {
                var near = Spelling.Nearest(word, names.Where(n => n.StartsWith("--", StringComparison.Ordinal)));
                return $"unknown option '{a}' for {command.Name}{(near is null ? "" : $"; did you mean '{near}'?")}";
            }
        }

        return null;
    }

    /// <summary>Help shows what a value is (<c>-T &lt;script&gt;</c>, <c>-o &lt;file&gt;</c>, <c>--base &lt;addr&gt;</c>), not the option's own name again.</summary>
    private static void NameThePlaceholders(Command root)
    {
        foreach (var command in root.Subcommands)
        {
            foreach (var option in command.Options)
            {
                option.HelpName ??= option.Name switch
                {
                    "-T" or "--vs-script" => "script",
                    "-o" => command.Name is "diet" or "synth" ? "dir" : "file",
                    "-Map" or "--kernel-config" or "--symbols" => "file",
                    "--vs" => "file",
                    "--base" or "--init-base" => "addr",
                    "--dump" => command.Name is "compress" or "zram" ? "dir" : "section",
                    "--modules" or "--callsites" or "--jobs" => "count",
                    "--seed" => "n",
                    "--hits" => "calls",
                    "--query" => "query",
                    "--module" => "name",
                    "--block" => "records",
                    "--dict-capacity" => "bytes",
                    "--stride" => "runs",
                    "--budget-ms" => "ms",
                    "--level" => "1-22",
                    "--verbose" => "0-4",
                    "--trim-prefix" => "prefix",
                    _ => null,
                };
            }
        }
    }

    private static string OneLine(string message) =>
        string.Join(' ', message.Split(['\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
