namespace DynDbg.ElfSim.Cli;

/// <summary>Exit codes scripts rely on (DESIGN.md, command-line contract).</summary>
public static class ExitCodes
{
    public const int Ok = 0;

    /// <summary>The input was read but a check or query failed.</summary>
    public const int CheckFailed = 1;

    /// <summary>The input could not be read (malformed ELF, unknown layout) or the command line was wrong.</summary>
    public const int BadInput = 2;

    /// <summary>A bug in this tool (never expected; tests fail on it). EX_SOFTWARE from sysexits.h.</summary>
    public const int InternalError = 70;
}
