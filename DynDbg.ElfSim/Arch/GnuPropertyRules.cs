using DynDbg.ElfSim.Elf;

namespace DynDbg.ElfSim.Arch;

/// <summary>The one place that maps an ELF machine to ld.bfd's GNU property backend hooks.</summary>
public static class GnuPropertyRules
{
    /// <summary>The hooks of <paramref name="machine"/>'s ld.bfd backend, or null where they are not emulated.</summary>
    public static IGnuPropertyRules? For(ElfMachine machine) => machine switch
    {
        ElfMachine.AArch64 => Aarch64GnuProperties.Instance,
        ElfMachine.X86_64 or ElfMachine.I386 => X86GnuProperties.Instance,
        _ => null,
    };

    /// <summary>The ld.bfd function that merges <paramref name="machine"/>'s properties, for refusals.</summary>
    public static string BackendFunction(ElfMachine machine) => machine switch
    {
        ElfMachine.X86_64 or ElfMachine.I386 => "bfd/elfxx-x86.c _bfd_x86_elf_merge_gnu_properties",
        _ => $"the {machine} backend's elf_backend_merge_gnu_properties",
    };
}
