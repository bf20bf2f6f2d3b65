namespace DynDbg.ElfSim.DynDbg;

/// <summary>
/// One <c>struct ddebug_table</c> as <c>__ddebug_add_module</c> makes it: a module name and a run of records
/// (<see cref="First"/> .. First+Count-1 of the callsite array), plus the class maps attached to it.
/// </summary>
public sealed record DdebugTable(string ModName, int First, int Count, IReadOnlyList<DdebugClassMap> Classes);
