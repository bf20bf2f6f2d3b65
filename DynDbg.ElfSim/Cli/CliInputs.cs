using DynDbg.ElfSim.DynDbg;
using DynDbg.ElfSim.Elf;

namespace DynDbg.ElfSim.Cli;

/// <summary>What commands that read ELF inputs share: the <c>--profile</c> option and unknown options.</summary>
internal static class CliInputs
{
    /// <summary>
    /// Resolves <c>--profile</c>: null for "auto". Returns false (and the usage error's exit code) for an unknown name.
    /// </summary>
    public static bool TryProfile(CliOutput io, string name, out DdebugLayout? forced, out int exitCode)
    {
        forced = null;
        exitCode = ExitCodes.Ok;
        if (string.Equals(name, "auto", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        forced = DdebugLayout.ByName(name);
        if (forced is null)
        {
            exitCode = io.Usage($"unknown --profile '{name}'; known: auto, {string.Join(", ", DdebugLayout.All.Select(l => l.Name))}");
            return false;
        }

        return true;
    }

    /// <summary>
    /// System.CommandLine hands unknown options to the positional arguments; a missing file named "--x" would be
    /// a confusing ELF031, so name it as the unknown option it is.
    /// </summary>
    public static string? UnknownOption(IEnumerable<string> positionals) =>
        positionals.FirstOrDefault(p => p.StartsWith('-') && !File.Exists(p));
}
