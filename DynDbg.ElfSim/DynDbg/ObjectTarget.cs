using DynDbg.ElfSim.Elf;

namespace DynDbg.ElfSim.DynDbg;

/// <summary>
/// What an object written for an architecture looks like where dyndbg tables are concerned: the ELF identity, and
/// how a compiler for that arch relocates a data pointer (the relocation type of a <c>.quad sym</c> /
/// <c>.long sym</c>, and whether the addend is in the table (RELA) or in place (REL: i386, arm)).
/// </summary>
public sealed record ObjectTarget(ElfIdentity Identity, uint PointerRelocation, bool Rela)
{
    public int PointerSize => Identity.PointerSize;
    public bool BigEndian => Identity.IsBigEndian;

    /// <summary>The kernel architectures the samples and Debian cover; null for an unknown machine.</summary>
    public static ObjectTarget? For(ElfMachine machine, bool is64, bool bigEndian)
    {
        (uint Type, bool Rela)? r = (machine, is64) switch
        {
            (ElfMachine.X86_64, true) => (1u, true),    // R_X86_64_64
            (ElfMachine.I386, false) => (1u, false),    // R_386_32, REL
            (ElfMachine.AArch64, true) => (257u, true), // R_AARCH64_ABS64
            (ElfMachine.Arm, false) => (2u, false),     // R_ARM_ABS32, REL
            (ElfMachine.Ppc64, true) => (38u, true),    // R_PPC64_ADDR64
            (ElfMachine.S390, true) => (22u, true),     // R_390_64
            (ElfMachine.Mips, true) => (18u, true),     // R_MIPS_64 (+ R_MIPS_NONE, R_MIPS_NONE)
            (ElfMachine.RiscV, true) => (2u, true),     // R_RISCV_64
            _ => null,
        };
        return r is { } t ? new ObjectTarget(new ElfIdentity(is64, bigEndian, machine), t.Type, t.Rela) : null;
    }

    /// <summary>The sample architecture names (<c>samples/objs/&lt;arch&gt;</c>) and Debian's.</summary>
    public static ObjectTarget? ForArch(string arch) => arch switch
    {
        "x86_64" or "amd64" => For(ElfMachine.X86_64, true, false),
        "i386" or "i686" => For(ElfMachine.I386, false, false),
        "aarch64" or "arm64" => For(ElfMachine.AArch64, true, false),
        "armhf" or "arm" => For(ElfMachine.Arm, false, false),
        "s390x" => For(ElfMachine.S390, true, true),
        "ppc64le" or "ppc64el" => For(ElfMachine.Ppc64, true, false),
        "mips64el" => For(ElfMachine.Mips, true, false),
        "riscv64" => For(ElfMachine.RiscV, true, false),
        _ => null,
    };
}
