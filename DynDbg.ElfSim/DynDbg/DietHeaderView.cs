using DynDbg.ElfSim.Elf;

namespace DynDbg.ElfSim.DynDbg;

/// <summary>Element 0 read through v5 27/28's <c>union _ddebug_header</c> view: <c>{ site*, format, lineno:18, _index:14 }</c>.</summary>
public sealed record DietHeaderView(ElfLocation? Site, ElfLocation? Format, uint LineNo, uint Index);
