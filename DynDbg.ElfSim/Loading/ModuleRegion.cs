namespace DynDbg.ElfSim.Loading;

/// <summary>Which allocation a section lands in: the module's core (kept) or init (freed after init) memory.</summary>
public enum ModuleRegion
{
    Core,
    Init,
}
