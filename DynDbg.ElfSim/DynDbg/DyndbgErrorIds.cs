namespace DynDbg.ElfSim.DynDbg;

/// <summary>
/// DYNnnn: the ELF is fine but its dyndbg table is not decodable (or not transformable). Stable: never reused for
/// another meaning. DYN004/005/010/011 are raised while reading the ELF itself and live in the Elf layer's
/// <see cref="Elf.ErrorIds"/>.
/// </summary>
public static class DyndbgErrorIds
{
    public const string RecordSizeMismatch = "DYN002";
    public const string LayoutUndecidable = "DYN003";
    public const string BoundsSymbols = "DYN007";
    public const string ProfileMismatch = "DYN008";
    public const string UnexpectedRelocation = "DYN009";
    public const string DietImage = "DYN012";
    public const string NothingToTransform = "DYN013";
    public const string NoDietTarget = "DYN014";
    public const string AlreadyDiet = "DYN015";
}
