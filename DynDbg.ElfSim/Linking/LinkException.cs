using DynDbg.ElfSim.Diagnostics;

namespace DynDbg.ElfSim.Linking;

/// <summary>A linker script or a link that cannot be done as ld.bfd would do it (<see cref="LinkErrorIds"/>).</summary>
public sealed class LinkException(string id, string file, string where, ulong? offset, string message)
    : DiagnosticException(id, file, where, offset, message)
{
    public override DiagnosticException WithHint(string hint) => new LinkException(Id, File, Where, Offset, $"{Message}; {hint}");
}
