using DynDbg.ElfSim.Tests.Real;

namespace DynDbg.ElfSim.Tests.Control;

/// <summary>
/// Debian's amd64 kernel for the control tests, through <see cref="RealInputs"/> (which runs
/// scripts/fetch-real.sh once per test run and ignores the test where the platform cannot fetch).
/// </summary>
public static class RealAmd64
{
    public static string Abi => RealInputs.Arch("amd64").Abi;

    public static string Modules => RealInputs.Arch("amd64").Modules;

    public static string Vmlinux => RealInputs.Vmlinux("amd64");

    /// <summary>A module by its path under <c>kernel/</c>, e.g. <c>net/bluetooth/bnep/bnep.ko</c>.</summary>
    public static string Module(string relative) => Path.Combine(Modules, "kernel", relative);
}
