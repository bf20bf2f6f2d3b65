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
        string? name = null;
        var i = 0;
        foreach (var r in records) // one decode per record: a lazy table decodes on each access
        {
            var modname = r.Modname;
            if (name is not null && !string.Equals(modname, name, StringComparison.Ordinal))
            {
                tables.Add(new DdebugTable(name, first, i - first, Attach(name, classes)));
                first = i;
            }

            if (i == first)
            {
                name = modname;
            }

            i++;
        }

        if (name is not null)
        {
            tables.Add(new DdebugTable(name, first, i - first, Attach(name, classes)));
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
