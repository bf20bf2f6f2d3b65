using DynDbg.ElfSim.Elf;

namespace DynDbg.ElfSim.DynDbg;

/// <summary>
/// One element of a diet descriptor array as the kernel indexes it (stride = sizeof(struct _ddebug)), in the
/// record view. Pointers that do not resolve are null, so a broken table can still be checked. <see cref="Index"/>
/// is the <c>_index</c> field (<c>_back</c> in v6); <see cref="Map"/> is v6's <c>_map</c>; <see cref="KeyEnabled"/>
/// and <see cref="KeyType"/> are the static key's first words (-1 and 0 without JUMP_LABEL).
/// </summary>
public sealed record DietElement(
    int Position,
    ulong FileOffset,
    ElfLocation? Site,
    ElfLocation? Format,
    string? FormatText,
    uint LineNo,
    uint Index,
    uint? Map,
    uint Flags,
    int KeyEnabled = -1,
    ulong KeyType = 0);
