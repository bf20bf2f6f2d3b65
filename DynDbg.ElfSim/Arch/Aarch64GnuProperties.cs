using DynDbg.ElfSim.Linking;

namespace DynDbg.ElfSim.Arch;

/// <summary>
/// ld.bfd 2.40's AArch64 property hooks (bfd/elfxx-aarch64.c): <c>_bfd_aarch64_elf_parse_gnu_properties</c> reads
/// GNU_PROPERTY_AARCH64_FEATURE_1_AND (4 bytes; several in one file are ORed together) and ignores every other
/// processor type; <c>_bfd_aarch64_elf_merge_gnu_properties</c> ANDs the feature bits, and an input without the
/// property drops it. The extra bits ld ORs in come only from <c>-z force-bti</c> / <c>-z pac-plt</c>, which
/// <c>ld -r -T</c> here never passes, so they are 0.
/// </summary>
public sealed class Aarch64GnuProperties : IGnuPropertyRules
{
    public const uint Feature1And = 0xc0000000;
    public const ulong Bti = 1;
    public const ulong Pac = 2;

    public static Aarch64GnuProperties Instance { get; } = new();

    private Aarch64GnuProperties()
    {
    }

    public uint? NumberSize(uint type) => type == Feature1And ? 4 : null;

    /// <summary>The generic UINT32_AND rule: AND the bits; one side lacking it drops it (the AND would be 0), and
    /// one only in B is never added.</summary>
    public bool Merge(GnuProperty? a, GnuProperty? b) => GnuPropertyMerger.MergeAnd(a, b);

    public string? DescribeBits(uint type, ulong bit) => type != Feature1And ? null : bit switch
    {
        Bti => "BTI",
        Pac => "PAC",
        _ => $"bit {System.Numerics.BitOperations.TrailingZeroCount(bit)}",
    };

    public string? TypeName(uint type) => type == Feature1And ? "AArch64 feature 1 AND" : null;
}
