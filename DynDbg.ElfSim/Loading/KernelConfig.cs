using DynDbg.ElfSim.Diagnostics;

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
    bool ModuleUnload = true,
    bool Expoline = false)
{
    public static KernelConfig Debian61 { get; } = new();

    /// <summary>Reads <c>CONFIG_STRICT_MODULE_RWX</c>, <c>CONFIG_KALLSYMS(_ALL)</c> and <c>CONFIG_MODULE_UNLOAD</c>
    /// from a kernel <c>.config</c> ("# CONFIG_X is not set" counts as n). A file that is not one (a line that is
    /// neither <c>CONFIG_X=value</c> nor a comment, or no CONFIG_ line at all) is a usage error naming the line:
    /// read as a config it would silently change the layout.</summary>
    public static KernelConfig FromConfigFile(string path)
    {
        var set = new Dictionary<string, string>(StringComparer.Ordinal);
        var n = 0;
        var any = false;
        foreach (var line in File.ReadLines(path))
        {
            n++;
            var t = line.Trim();
            if (t.Length == 0 || t.StartsWith('#'))
            {
                any |= t.StartsWith("# CONFIG_", StringComparison.Ordinal) && t.EndsWith(" is not set", StringComparison.Ordinal);
                continue;
            }

            var eq = t.IndexOf('=');
            if (!t.StartsWith("CONFIG_", StringComparison.Ordinal) || eq < 0 || !t[..eq].All(c => char.IsAsciiLetterOrDigit(c) || c == '_'))
            {
                throw new UsageException(UsageErrorIds.Usage, path, $"line {n}", null,
                    "--kernel-config: not a kernel .config line (expected CONFIG_NAME=value, '# CONFIG_NAME is not set' or a comment)");
            }

            set[t[..eq]] = t[(eq + 1)..]; // the last assignment wins, as in Kconfig
            any = true;
        }

        if (!any)
        {
            throw new UsageException(UsageErrorIds.Usage, path, "", null, "--kernel-config: no CONFIG_ line: not a kernel .config");
        }

        bool Y(string k) => set.TryGetValue(k, out var v) && v is "y" or "m";
        return new KernelConfig(4096, Y("CONFIG_STRICT_MODULE_RWX"), Y("CONFIG_KALLSYMS"), Y("CONFIG_KALLSYMS_ALL"), Y("CONFIG_MODULE_UNLOAD"))
        {
            Expoline = Y("CONFIG_EXPOLINE") && !Y("CONFIG_EXPOLINE_OFF"), // s390: nospec_disable's build-time default
        };
    }
}
