namespace DynDbg.ElfSim.DynDbg;

/// <summary>The diet-plan layouts the tool emulates (reference §4, §6).</summary>
public enum DietVariant
{
    /// <summary>v5 03–27/28 with SITE_CHK: <c>{ site*, format, lineno:18, _index:14, flags:8, [key] }</c>.</summary>
    V5,

    /// <summary>v5 28/28: the site pointer dropped: <c>{ format, lineno:18, _index:14, flags:8, [key] }</c>.</summary>
    V5NoSite,

    /// <summary>v6 30/34+: <c>{ format, lineno:18, _back:14, _map:14, flags:8, [key] }</c> in <c>__dyndbgs</c>.</summary>
    V6,
}
