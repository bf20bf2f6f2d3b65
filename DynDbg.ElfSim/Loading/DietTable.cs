namespace DynDbg.ElfSim.Loading;

/// <summary>
/// One call of the diet plan's <c>__ddebug_add_module(tab, sites, numdbgs, base, modname)</c> (reference §6.10):
/// the slice it was given (elements <see cref="First"/>.. of the descriptor array, <see cref="Count"/> of them,
/// numbered from <see cref="Base"/>), whether <c>is_dyndbg_header_pair(tab, sites)</c> held at that moment (and
/// why not), and whether a <c>ddebug_table</c> was created ("skip header" / "skip", §8.21–22).
/// </summary>
public sealed record DietTable(
    string ModName,
    int First,
    int Count,
    int Base,
    ulong DescriptorAddress,
    ulong SiteAddress,
    bool HeaderFound,
    string HeaderNote,
    bool Created);
