namespace DynDbg.ElfSim.Diagnostics;

/// <summary>The input is readable, but not for what the command line asked of it (<see cref="UsageErrorIds"/>).</summary>
public sealed class UsageException(string id, string file, string where, ulong? offset, string message)
    : DiagnosticException(id, file, where, offset, message)
{
    public override DiagnosticException WithHint(string hint) => new UsageException(Id, File, Where, Offset, $"{Message}; {hint}");
}
