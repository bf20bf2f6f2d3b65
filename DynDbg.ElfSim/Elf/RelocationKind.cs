namespace DynDbg.ElfSim.Elf;

/// <summary>What a relocation type does, as far as the tool needs to know.</summary>
public enum RelocationKind
{
    /// <summary>R_*_NONE: nothing.</summary>
    None,

    /// <summary>S + A written as a word of <see cref="RelocationSemantics.Width"/> bytes.</summary>
    Absolute,

    /// <summary>A type the tool does not resolve: an error where a value must be known.</summary>
    Other,
}
