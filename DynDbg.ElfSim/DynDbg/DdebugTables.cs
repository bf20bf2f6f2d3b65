namespace DynDbg.ElfSim.DynDbg;

/// <summary>
/// The tables 6.1 <c>lib/dynamic_debug.c</c> builds from a callsite array (reference §3.1; invariant 21).
/// </summary>
public static class DdebugTables
{
    /// <summary>
    /// Built-in: <c>dynamic_debug_init</c> walks the array and starts a new table whenever
    /// <c>strcmp(modname, iter->modname)</c> differs; every class map whose mod_name matches is attached.
    /// </summary>
    public static IReadOnlyList<DdebugTable> BuiltIn(IReadOnlyList<DdebugRecord> records, IReadOnlyList<DdebugClassMap> classes)
    {
        var tables = new List<DdebugTable>();
        var first = 0;
        for (var i = 1; i <= records.Count; i++)
        {
            if (i == records.Count || !string.Equals(records[i].Modname, records[first].Modname, StringComparison.Ordinal))
            {
                var name = records[first].Modname;
                tables.Add(new DdebugTable(name, first, i - first, Attach(name, classes)));
                first = i;
            }
        }

        return tables;
    }

    /// <summary>
    /// Loadable module: <c>dynamic_debug_setup</c> adds one table named by the module (mod->name), none when the
    /// module has no callsites.
    /// </summary>
    public static IReadOnlyList<DdebugTable> Module(string modName, int count, IReadOnlyList<DdebugClassMap> classes) =>
        count == 0 ? [] : [new DdebugTable(modName, 0, count, Attach(modName, classes))];

    private static IReadOnlyList<DdebugClassMap> Attach(string modName, IReadOnlyList<DdebugClassMap> classes) =>
        classes.Where(c => string.Equals(c.ModName, modName, StringComparison.Ordinal)).ToArray();
}
