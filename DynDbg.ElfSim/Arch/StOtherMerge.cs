using DynDbg.ElfSim.Elf;

namespace DynDbg.ElfSim.Arch;

/// <summary>
/// The <c>elf_backend_merge_symbol_attribute</c> hooks of binutils 2.40 (called by elflink.c
/// <c>elf_merge_st_other</c> for every global symbol an input adds, before the visibility merge): what happens to
/// the st_other bits beyond STV_*. Machines without a hook keep the hash entry's bits as they are.
/// </summary>
public static class StOtherMerge
{
    private const byte Visibility = 3;

    /// <summary>STO_AARCH64_VARIANT_PCS.</summary>
    private const byte Aarch64VariantPcs = 0x80;

    public static byte Backend(ElfMachine machine, byte hOther, byte stOther, bool definition) => machine switch
    {
        // elf64-ppc.c ppc64_elf_merge_symbol_attribute: a (regular) definition brings its local-entry bits
        // (STO_PPC64_LOCAL_MASK, ELFv2), replacing what a reference had.
        ElfMachine.Ppc64 when definition => (byte)((stOther & ~Visibility) | (hOther & Visibility)),

        // elfxx-mips.c _bfd_mips_elf_merge_symbol_attribute: when the symbol carries non-visibility bits, the
        // definition's win (a reference keeps the entry's); STO_OPTIONAL is not used by GNU as.
        ElfMachine.Mips when (stOther & ~Visibility) != 0 => (byte)(((definition ? stOther : hOther) & ~Visibility) | (hOther & Visibility)),

        // elfnn-aarch64.c elfNN_aarch64_merge_symbol_attribute: STO_AARCH64_VARIANT_PCS is sticky.
        ElfMachine.AArch64 when (stOther & Aarch64VariantPcs) != 0 => (byte)(hOther | Aarch64VariantPcs),
        _ => hOther,
    };
}
