namespace DynDbg.ElfSim.Elf;

/// <summary>e_machine values of the architectures Debian releases kernels for, plus riscv64.</summary>
public enum ElfMachine : ushort
{
    None = 0,
    I386 = 3,
    Mips = 8,
    Ppc = 20,
    Ppc64 = 21,
    S390 = 22,
    Arm = 40,
    X86_64 = 62,
    AArch64 = 183,
    RiscV = 243,
}

public static class ElfMachineNames
{
    /// <summary>The name readelf prints in its "Machine:" line, shortened to the arch name engineers use.</summary>
    public static string Describe(ElfMachine m, bool is64) => m switch
    {
        ElfMachine.I386 => "i386",
        ElfMachine.X86_64 => "x86_64",
        ElfMachine.AArch64 => "aarch64",
        ElfMachine.Arm => "arm",
        ElfMachine.Ppc64 => "ppc64",
        ElfMachine.Ppc => "ppc",
        ElfMachine.S390 => is64 ? "s390x" : "s390",
        ElfMachine.Mips => is64 ? "mips64" : "mips",
        ElfMachine.RiscV => is64 ? "riscv64" : "riscv32",
        _ => $"EM_{(ushort)m}",
    };

    public static string ElfName(ElfMachine m) => m switch
    {
        ElfMachine.I386 => "EM_386",
        ElfMachine.X86_64 => "EM_X86_64",
        ElfMachine.AArch64 => "EM_AARCH64",
        ElfMachine.Arm => "EM_ARM",
        ElfMachine.Ppc64 => "EM_PPC64",
        ElfMachine.Ppc => "EM_PPC",
        ElfMachine.S390 => "EM_S390",
        ElfMachine.Mips => "EM_MIPS",
        ElfMachine.RiscV => "EM_RISCV",
        _ => $"EM_{(ushort)m}",
    };
}
