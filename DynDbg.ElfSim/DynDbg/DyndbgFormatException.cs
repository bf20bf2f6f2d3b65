using DynDbg.ElfSim.Diagnostics;

namespace DynDbg.ElfSim.DynDbg;

/// <summary>The ELF is fine, but its dyndbg table cannot be decoded or transformed (<see cref="DyndbgErrorIds"/>).</summary>
public sealed class DyndbgFormatException(string id, string file, string where, ulong? offset, string message)
    : DiagnosticException(id, file, where, offset, message)
{
    public override DiagnosticException WithHint(string hint) => new DyndbgFormatException(Id, File, Where, Offset, $"{Message}; {hint}");
}
