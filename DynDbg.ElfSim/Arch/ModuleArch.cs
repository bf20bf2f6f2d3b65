using DynDbg.ElfSim.Elf;

namespace DynDbg.ElfSim.Arch;

/// <summary>The one place that maps an ELF machine to its loader hooks.</summary>
public static class ModuleArch
{
    /// <summary>The hooks of <paramref name="machine"/>, or null where they are not emulated yet.</summary>
    public static IModuleArch? For(ElfMachine machine) => machine switch
    {
        ElfMachine.X86_64 or ElfMachine.I386 => X86ModuleArch.Instance,
        ElfMachine.AArch64 => Aarch64ModuleArch.Instance,
        ElfMachine.S390 => S390ModuleArch.Instance,
        ElfMachine.Arm => ArmModuleArch.Instance,
        ElfMachine.Ppc64 => Ppc64ModuleArch.Instance,
        ElfMachine.Mips => MipsModuleArch.Instance,
        _ => null,
    };
}
