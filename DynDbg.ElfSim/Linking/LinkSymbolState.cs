namespace DynDbg.ElfSim.Linking;

/// <summary>BFD's link hash entry types (bfd_link_hash_new, _undefined, _undefweak, _defined, _defweak, _common).</summary>
public enum LinkSymbolState
{
    /// <summary>Looked up (by a script expression) but neither referred to by an object nor defined.</summary>
    New,
    Undefined,
    UndefinedWeak,
    Defined,
    DefinedWeak,
    Common,
}
