namespace DynDbg.ElfSim.Elf;

/// <summary>
/// Per-machine meaning of the pointer-sized absolute relocations that dyndbg tables use (R_X86_64_64, R_386_32,
/// R_AARCH64_ABS64, R_ARM_ABS32, R_PPC64_ADDR64, R_390_64, R_MIPS_64, R_RISCV_64) and their 32-bit siblings.
/// Type numbers are the psABIs' (and binutils' include/elf/*.h).
/// </summary>
public readonly record struct RelocationSemantics(RelocationKind Kind, int Width, string Name)
{
    public static RelocationSemantics Of(ElfMachine machine, uint type)
    {
        return (machine, type) switch
        {
            (ElfMachine.X86_64, 0) => new(RelocationKind.None, 0, "R_X86_64_NONE"),
            (ElfMachine.X86_64, 1) => new(RelocationKind.Absolute, 8, "R_X86_64_64"),
            (ElfMachine.X86_64, 10) => new(RelocationKind.Absolute, 4, "R_X86_64_32"),
            (ElfMachine.I386, 0) => new(RelocationKind.None, 0, "R_386_NONE"),
            (ElfMachine.I386, 1) => new(RelocationKind.Absolute, 4, "R_386_32"),
            (ElfMachine.AArch64, 0) => new(RelocationKind.None, 0, "R_AARCH64_NONE"),
            (ElfMachine.AArch64, 257) => new(RelocationKind.Absolute, 8, "R_AARCH64_ABS64"),
            (ElfMachine.AArch64, 258) => new(RelocationKind.Absolute, 4, "R_AARCH64_ABS32"),
            (ElfMachine.Arm, 0) => new(RelocationKind.None, 0, "R_ARM_NONE"),
            (ElfMachine.Arm, 2) => new(RelocationKind.Absolute, 4, "R_ARM_ABS32"),
            (ElfMachine.Ppc64, 0) => new(RelocationKind.None, 0, "R_PPC64_NONE"),
            (ElfMachine.Ppc64, 38) => new(RelocationKind.Absolute, 8, "R_PPC64_ADDR64"),
            (ElfMachine.Ppc64, 1) => new(RelocationKind.Absolute, 4, "R_PPC64_ADDR32"),
            (ElfMachine.Ppc, 0) => new(RelocationKind.None, 0, "R_PPC_NONE"),
            (ElfMachine.Ppc, 1) => new(RelocationKind.Absolute, 4, "R_PPC_ADDR32"),
            (ElfMachine.S390, 0) => new(RelocationKind.None, 0, "R_390_NONE"),
            (ElfMachine.S390, 22) => new(RelocationKind.Absolute, 8, "R_390_64"),
            (ElfMachine.S390, 4) => new(RelocationKind.Absolute, 4, "R_390_32"),
            (ElfMachine.Mips, 0) => new(RelocationKind.None, 0, "R_MIPS_NONE"),
            (ElfMachine.Mips, 18) => new(RelocationKind.Absolute, 8, "R_MIPS_64"),
            (ElfMachine.Mips, 2) => new(RelocationKind.Absolute, 4, "R_MIPS_32"),
            (ElfMachine.RiscV, 0) => new(RelocationKind.None, 0, "R_RISCV_NONE"),
            (ElfMachine.RiscV, 2) => new(RelocationKind.Absolute, 8, "R_RISCV_64"),
            (ElfMachine.RiscV, 1) => new(RelocationKind.Absolute, 4, "R_RISCV_32"),
            _ => new(RelocationKind.Other, 0, $"{ElfMachineNames.ElfName(machine)} type {type}"),
        };
    }

    /// <summary>
    /// The semantics of a whole entry. On MIPS64 an entry carries up to three types applied in sequence;
    /// R_MIPS_64 followed by two R_MIPS_NONE is a plain 64-bit absolute word, anything else is "other".
    /// </summary>
    public static RelocationSemantics Of(ElfMachine machine, in ElfRelocation r)
    {
        var first = Of(machine, r.Type);
        if (machine == ElfMachine.Mips && (r.Type2 != 0 || r.Type3 != 0))
        {
            return first with { Kind = RelocationKind.Other, Name = $"{first.Name}/{r.Type2}/{r.Type3}" };
        }

        return first;
    }
}
