namespace DynDbg.ElfSim.DynDbg;

/// <summary>Where <see cref="DietObjectWriter"/> puts a unit's header pair.</summary>
public enum DietHeaderPlacement
{
    /// <summary><c>.gnu.linkonce.dyndbg</c> / <c>.gnu.linkonce.dyndbg_site</c>, as v5 18/28 does.</summary>
    Linkonce,

    /// <summary>In the plain descriptor and sites sections, after the unit's records.</summary>
    AfterRecords,

    /// <summary>In the plain descriptor and sites sections, before the unit's records.</summary>
    BeforeRecords,
}
