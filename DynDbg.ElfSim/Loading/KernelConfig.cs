namespace DynDbg.ElfSim.Loading;

/// <summary>
/// The kernel configuration choices the 6.1 module loader's layout depends on. Defaults are Debian 12's amd64
/// kernel (<c>boot/config-6.1.0-*-amd64</c>); <see cref="FromConfigFile"/> reads a real config.
/// </summary>
public sealed record KernelConfig(
    uint PageSize = 4096,
    bool StrictModuleRwx = true,
    bool Kallsyms = true,
    bool KallsymsAll = true,
    bool ModuleUnload = true)
{
    public static KernelConfig Debian61 { get; } = new();

    /// <summary>Reads <c>CONFIG_STRICT_MODULE_RWX</c>, <c>CONFIG_KALLSYMS(_ALL)</c> and <c>CONFIG_MODULE_UNLOAD</c>
    /// from a kernel <c>.config</c> ("# CONFIG_X is not set" counts as n).</summary>
    public static KernelConfig FromConfigFile(string path)
    {
        var set = File.ReadLines(path)
            .Where(l => l.StartsWith("CONFIG_", StringComparison.Ordinal) && l.Contains('='))
            .Select(l => l.Split('=', 2))
            .ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);
        bool Y(string k) => set.TryGetValue(k, out var v) && v is "y" or "m";
        return new KernelConfig(4096, Y("CONFIG_STRICT_MODULE_RWX"), Y("CONFIG_KALLSYMS"), Y("CONFIG_KALLSYMS_ALL"), Y("CONFIG_MODULE_UNLOAD"));
    }
}
