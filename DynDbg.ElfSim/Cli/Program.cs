using System.CommandLine;
using DynDbg.ElfSim.Diagnostics;
using DynDbg.ElfSim.Elf;

namespace DynDbg.ElfSim.Cli;

/// <summary>Entry point: builds the command tree, maps parse errors to exit 2 and never lets a stack trace out.</summary>
public static class Program
{
    public static int Main(string[] args) => Run(args, CliOutput.Console());

    public static int Run(string[] args, CliOutput io)
    {
        var root = new RootCommand("DynDbg.ElfSim: see and check Linux dynamic-debug tables and the diet plan on real ELF binaries")
        {
            LoadCommand.Create(io),
            CheckCommand.Create(io),
            ControlCommand.Create(io),
            CompressCommand.Create(io),
            LinkCommand.Create(io),
            ExplainCommand.Create(io),
            DietCommand.Create(io),
            SynthCommand.Create(io),
        };

        try
        {
            var parse = root.Parse(args);
            if (parse.Errors.Count > 0)
            {
                return io.Usage(string.Join("; ", parse.Errors.Select(e => e.Message)));
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
            io.Error.WriteLine($"DynDbg.ElfSim: internal error: {e.GetType().Name}: {e.Message}");
            return ExitCodes.InternalError;
        }
    }
}
