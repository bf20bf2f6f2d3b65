using DynDbg.ElfSim.Linking;

namespace DynDbg.ElfSim.Arch;

/// <summary>
/// ld.bfd 2.40's x86 property hooks (bfd/elfxx-x86.c), for x86_64 and i386. <c>_bfd_x86_elf_parse_gnu_properties</c>
/// reads the two COMPAT ISA types and the UINT32 AND, OR and OR_AND ranges as 4-byte numbers (several in one file are
/// ORed) and ignores every other processor type. <c>_bfd_x86_elf_merge_gnu_properties</c>: AND (FEATURE_1_AND: IBT,
/// SHSTK, LAM) keeps the common bits and goes where an input lacks it; OR (ISA_1_NEEDED, FEATURE_2_NEEDED,
/// COMPAT_ISA_1_NEEDED) takes every input's bits and stays when one lacks it; OR_AND (ISA_1_USED, FEATURE_2_USED,
/// COMPAT_ISA_1_USED) takes every input's bits but goes where one lacks it. The bits ld adds come only from
/// <c>-z ibt</c>, <c>-z shstk</c>, <c>-z lam-*</c> and <c>-z isa-level</c>, which <c>ld -r -T</c> here never passes.
/// <c>_bfd_x86_elf_link_fixup_gnu_properties</c> then drops AND and OR properties left at zero, and the LAM bits of an
/// output that is not 64-bit.
/// </summary>
public sealed class X86GnuProperties : IGnuPropertyRules
{
    public const uint CompatIsa1Used = 0xc0000000;
    public const uint CompatIsa1Needed = 0xc0000001;
    public const uint AndLo = 0xc0000002, AndHi = 0xc0007fff;
    public const uint OrLo = 0xc0008000, OrHi = 0xc000ffff;
    public const uint OrAndLo = 0xc0010000, OrAndHi = 0xc0017fff;
    public const uint Feature1And = AndLo;
    public const uint Feature2Needed = OrLo + 1;
    public const uint Isa1Needed = OrLo + 2;
    public const uint Feature2Used = OrAndLo + 1;
    public const uint Isa1Used = OrAndLo + 2;
    private const ulong LamU48 = 4, LamU57 = 8;

    public static X86GnuProperties Instance { get; } = new();

    private X86GnuProperties()
    {
    }

    private static bool IsOrAnd(uint type) => type == CompatIsa1Used || type is >= OrAndLo and <= OrAndHi;

    private static bool IsOr(uint type) => type == CompatIsa1Needed || type is >= OrLo and <= OrHi;

    private static bool IsAnd(uint type) => type is >= AndLo and <= AndHi;

    public uint? NumberSize(uint type) => IsOrAnd(type) || IsOr(type) || IsAnd(type) ? 4 : null;

    public bool Merge(GnuProperty? a, GnuProperty? b)
    {
        var type = (a ?? b)!.Type;
        if (IsOrAnd(type))
        {
            if (a is not null && b is not null)
            {
                var old = a.Number;
                a.Number |= b.Number;
                return old != a.Number;
            }

            // Only one input has it: it goes (and one only in B is never added).
            if (a is not null)
            {
                a.Removed = true;
            }

            return a is not null;
        }

        // OR and AND are the generic UINT32 rules (no -z isa-level, -z ibt or -z shstk here).
        return IsOr(type) ? GnuPropertyMerger.MergeOr(a, b) : GnuPropertyMerger.MergeAnd(a, b);
    }

    public void Fixup(List<GnuProperty> list, bool is64)
    {
        for (var i = 0; i < list.Count; i++)
        {
            var p = list[i];
            if (p.Number == 0 && (IsAnd(p.Type) || IsOr(p.Type)))
            {
                list.RemoveAt(i--);
                continue;
            }

            if (p.Type == Feature1And && !is64)
            {
                p.Number &= ~(LamU48 | LamU57);
            }
        }
    }

    public string? DescribeBits(uint type, ulong bit) => type switch
    {
        Feature1And => bit switch { 1 => "IBT", 2 => "SHSTK", LamU48 => "LAM_U48", LamU57 => "LAM_U57", _ => Bit(bit) },
        Isa1Needed or Isa1Used => bit switch { 1 => "x86-64-baseline", 2 => "x86-64-v2", 4 => "x86-64-v3", 8 => "x86-64-v4", _ => Bit(bit) },
        Feature2Needed or Feature2Used => System.Numerics.BitOperations.TrailingZeroCount(bit) is var n && n < Feature2Names.Length ? Feature2Names[n] : Bit(bit),
        _ => null,
    };

    private static readonly string[] Feature2Names =
        ["x86", "x87", "MMX", "XMM", "YMM", "ZMM", "FXSR", "XSAVE", "XSAVEOPT", "XSAVEC", "TMM", "MASK"];

    private static string Bit(ulong bit) => $"bit {System.Numerics.BitOperations.TrailingZeroCount(bit)}";

    public string? TypeName(uint type) => type switch
    {
        Feature1And => "x86 feature 1 AND",
        Isa1Needed => "x86 ISA 1 needed",
        Isa1Used => "x86 ISA 1 used",
        Feature2Needed => "x86 feature 2 needed",
        Feature2Used => "x86 feature 2 used",
        CompatIsa1Used => "x86 compat ISA 1 used",
        CompatIsa1Needed => "x86 compat ISA 1 needed",
        _ => null,
    };
}
