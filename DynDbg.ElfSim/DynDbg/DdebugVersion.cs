namespace DynDbg.ElfSim.DynDbg;

/// <summary>The mainline generations of <c>struct _ddebug</c> (reference §4).</summary>
public enum DdebugVersion
{
    /// <summary>3.x–5.8: section <c>__verbose</c>, <c>lineno:18, flags:8</c>.</summary>
    Pre59,

    /// <summary>5.9–6.0: section renamed <c>__dyndbg</c>, same fields.</summary>
    V59,

    /// <summary>6.1+: <c>lineno:18, class_id:6, flags:8</c>.</summary>
    V61,
}
