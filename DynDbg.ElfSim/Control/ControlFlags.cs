namespace DynDbg.ElfSim.Control;

/// <summary>The <c>_DPRINTK_FLAGS_*</c> bits of <c>struct _ddebug.flags</c> (reference §1.1, §3.3; invariant 26).</summary>
public static class ControlFlags
{
    public const uint Print = 1 << 0;
    public const uint InclModname = 1 << 1;
    public const uint InclFuncname = 1 << 2;
    public const uint InclLineno = 1 << 3;
    public const uint InclTid = 1 << 4;

    /// <summary>The later-mainline <c>s</c> flag (<c>_DPRINTK_FLAGS_INCL_SOURCENAME</c>); not in 6.1.</summary>
    public const uint InclSourcename = 1 << 5;

    /// <summary>Diet v5 12/28's <c>D</c> (<c>_DPRINTK_FLAGS_DELETE_SITE</c>): drop the site (reference §6.3).</summary>
    public const uint DeleteSite = 1 << 7;

    /// <summary><c>ddebug_describe_flags</c> with the 6.1 letters.</summary>
    public static string Describe(uint flags) => FlagLetters.Linux61.Describe(flags);
}
