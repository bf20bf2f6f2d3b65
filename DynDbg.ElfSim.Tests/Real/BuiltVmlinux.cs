namespace DynDbg.ElfSim.Tests.Real;

/// <summary>
/// A real x86_64 <c>vmlinux.o</c> (the kernel's own <c>ld -r</c> of vmlinux.a: 8945 sections, 724 built-in call
/// sites) and the <c>vmlinux</c> the kernel's final link made from it, built from Debian's linux-source-6.1 by
/// <c>scripts/vmlinux-o/build.sh</c> (tinyconfig + dynamic debug, gcc 12; a few minutes cold, cached after).
/// Debian ships no vmlinux.o. Tests using it are in the <c>KernelSource</c> category (<see cref="KernelSourceBuild"/>).
/// </summary>
public static class BuiltVmlinux
{
    private static readonly KernelSourceBuild Built = new("scripts/vmlinux-o/build.sh", "VMLINUX_O=", minutes: 40);

    /// <summary>vmlinux.o.</summary>
    public static string Object => Built.Path;

    /// <summary>The vmlinux linked from <see cref="Object"/> by the kernel's own link (link-vmlinux.sh).</summary>
    public static string Linked => Object[..^".o".Length];
}
