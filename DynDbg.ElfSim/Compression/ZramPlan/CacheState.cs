using DynDbg.ElfSim.Control;

namespace DynDbg.ElfSim.Compression.ZramPlan;

/// <summary>
/// What the map/unmap cache is priced on, taken from a control state and kept without it: per call site, in the
/// tables' order, whether its pr_debug prints; and per module name its records and how many of them print.
/// Several inputs' states concatenate into one kernel's (<see cref="Concat"/>).
/// </summary>
public sealed class CacheState
{
    private CacheState(bool[] printing, IReadOnlyList<(string Module, int Records, int Printing)> modules)
    {
        Printing = printing;
        Modules = modules;
    }

    /// <summary>Per call site: whether it prints (<see cref="ControlSite.Prints"/>).</summary>
    public IReadOnlyList<bool> Printing { get; }

    /// <summary>Per module name, in first-seen order: its records and the printing ones among them.</summary>
    public IReadOnlyList<(string Module, int Records, int Printing)> Modules { get; }

    public static CacheState Empty { get; } = new([], []);

    public static CacheState From(IReadOnlyList<ControlTable> tables)
    {
        var printing = tables.SelectMany(t => t.Sites).Select(s => s.Prints).ToArray();
        var modules = tables.GroupBy(t => t.ModName, StringComparer.Ordinal)
            .Select(g => (g.Key, g.Sum(t => t.Sites.Count), g.Sum(t => t.Sites.Count(s => s.Prints)))).ToList();
        return new CacheState(printing, modules);
    }

    /// <summary>The states one after another, as one kernel's list; a module name seen twice adds up.</summary>
    public static CacheState Concat(IEnumerable<CacheState> states)
    {
        var list = states.ToList();
        var modules = list.SelectMany(s => s.Modules).GroupBy(m => m.Module, StringComparer.Ordinal)
            .Select(g => (g.Key, g.Sum(m => m.Records), g.Sum(m => m.Printing))).ToList();
        return new CacheState(list.SelectMany(s => s.Printing).ToArray(), modules);
    }
}
