using DynDbg.ElfSim.Diagnostics;

namespace DynDbg.ElfSim.Elf;

/// <summary>
/// The file is not readable as ELF, or a pointer in it does not resolve (<see cref="ErrorIds"/>): malformed
/// headers, tables, relocations, strings.
/// </summary>
public sealed class ElfFormatException(string id, string file, string where, ulong? offset, string message)
    : DiagnosticException(id, file, where, offset, message)
{
    public override DiagnosticException WithHint(string hint) => new ElfFormatException(Id, File, Where, Offset, $"{Message}; {hint}");
}
