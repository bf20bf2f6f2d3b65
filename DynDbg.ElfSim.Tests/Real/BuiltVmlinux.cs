using System.Collections.Concurrent;

namespace DynDbg.ElfSim.Tests.Real;

/// <summary>
/// A real <c>vmlinux.o</c> per Debian release architecture (the kernel's own <c>ld -r</c> of vmlinux.a; amd64's has
/// 8945 sections and 724 built-in call sites) and the <c>vmlinux</c> the kernel's final link made from it, built from
/// Debian's linux-source-6.1 with Debian's gcc 12 (cross compilers for the other six) by
/// <c>scripts/vmlinux-o/build.sh ARCH</c>: tinyconfig + dynamic debug, a few minutes per architecture cold, cached
/// after. Debian ships no vmlinux.o. Tests using it are in the <c>KernelSource</c> category (<see cref="KernelSourceBuild"/>).
/// </summary>
public static class BuiltVmlinux
{
    private static readonly ConcurrentDictionary<string, KernelSourceBuild> Builds = new();

    /// <summary>amd64's vmlinux.o.</summary>
    public static string Object => ObjectOf("amd64");

    /// <summary>The vmlinux linked from <see cref="Object"/> by the kernel's own link (link-vmlinux.sh).</summary>
    public static string Linked => LinkedOf("amd64");

    /// <summary>The vmlinux.o of a Debian architecture (<see cref="RealInputs.AllArches"/>).</summary>
    public static string ObjectOf(string arch) =>
        Builds.GetOrAdd(arch, a => new KernelSourceBuild("scripts/vmlinux-o/build.sh", "VMLINUX_O=", 60, a)).Path;

    /// <summary>The vmlinux linked from <see cref="ObjectOf"/>.</summary>
    public static string LinkedOf(string arch) => ObjectOf(arch)[..^".o".Length];
}
