namespace DynDbg.ElfSim.Diagnostics;

/// <summary>USGnnn: bad usage of the tool. Stable: tests and scripts match on them.</summary>
public static class UsageErrorIds
{
    public const string Usage = "USG001";
    public const string CannotWriteOutput = "USG002";
}
