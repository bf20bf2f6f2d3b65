using DynDbg.ElfSim.Elf;

namespace DynDbg.ElfSim.DynDbg;

/// <summary>One <c>struct _ddebug_site</c> (modname, filename, function), with the strings where the pointers
/// reach strings (the header's filename is the loopback to the descriptor header, not a string).</summary>
public sealed record DietSite(
    int Position,
    ulong FileOffset,
    ElfLocation? Modname,
    ElfLocation? Filename,
    ElfLocation? Function,
    string? ModnameText,
    string? FilenameText,
    string? FunctionText);
