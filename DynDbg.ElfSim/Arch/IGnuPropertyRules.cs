using DynDbg.ElfSim.Linking;

namespace DynDbg.ElfSim.Arch;

/// <summary>
/// One ld.bfd backend's processor-specific GNU property hooks (types GNU_PROPERTY_LOPROC..LOUSER-1):
/// <c>elf_backend_parse_gnu_properties</c> and <c>elf_backend_merge_gnu_properties</c>. The generic walk
/// (bfd/elf-properties.c, <see cref="GnuPropertyMerger"/>) calls them. <see cref="GnuPropertyRules.For"/> picks them.
/// </summary>
public interface IGnuPropertyRules
{
    /// <summary>Whether the backend reads a property of <paramref name="type"/> as a number; null where bfd's
    /// parser returns <c>property_ignored</c> (ld warns "unsupported GNU_PROPERTY_TYPE" and drops it).
    /// Otherwise the data size it requires (a different one is ld's <c>property_corrupt</c>).</summary>
    uint? NumberSize(uint type);

    /// <summary>Merge <paramref name="b"/> into <paramref name="a"/> (either may be null, not both): true when
    /// <paramref name="a"/> changed, or, with <paramref name="a"/> null, when <paramref name="b"/> is to be added.</summary>
    bool Merge(GnuProperty? a, GnuProperty? b);

    /// <summary>The property's bits in words, for <c>explain</c> (e.g. "BTI, PAC"); null if it has no names.</summary>
    string? DescribeBits(uint type, ulong bit);

    /// <summary>A short name of the property type, for <c>explain</c>.</summary>
    string? TypeName(uint type);

    /// <summary><c>elf_backend_fixup_gnu_properties</c>, run on the merged list before ld decides whether a note is
    /// left (none on most backends).</summary>
    void Fixup(List<GnuProperty> list, bool is64)
    {
    }
}
