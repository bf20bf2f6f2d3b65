namespace DynDbg.ElfSim.Control;

/// <summary>The Linux errno values the control file can return (asm-generic/errno-base.h), with their names.</summary>
public static class Errno
{
    public const int E2BIG = 7;
    public const int EEXIST = 17;
    public const int EINVAL = 22;
    public const int ERANGE = 34;

    /// <summary>"-EINVAL" for -22; a number for values this table does not name.</summary>
    public static string Name(int negativeErrno) => -negativeErrno switch
    {
        E2BIG => "-E2BIG",
        EEXIST => "-EEXIST",
        EINVAL => "-EINVAL",
        ERANGE => "-ERANGE",
        var n => $"-{n}",
    };
}
