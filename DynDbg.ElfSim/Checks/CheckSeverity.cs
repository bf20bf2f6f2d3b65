namespace DynDbg.ElfSim.Checks;

/// <summary>An error breaks an invariant the profile is meant to keep (exit 1); a hazard is a known design flaw of
/// the profile (reference §7), reported but not failing.</summary>
public enum CheckSeverity
{
    Error,
    Hazard,
}
