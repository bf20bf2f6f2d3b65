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
    bool Expoline = false,
    bool DynamicFtrace = true,
    bool DynamicFtraceWithRegs = true)
{
    public static KernelConfig Debian61 { get; } = new();

    /// <summary>Reads <c>CONFIG_STRICT_MODULE_RWX</c>, <c>CONFIG_KALLSYMS(_ALL)</c>, <c>CONFIG_MODULE_UNLOAD</c>,
    /// <c>CONFIG_DYNAMIC_FTRACE(_WITH_REGS)</c> and the page size (see <see cref="PageSizeOf"/>)
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
        return new KernelConfig(PageSizeOf(Y), Y("CONFIG_STRICT_MODULE_RWX"), Y("CONFIG_KALLSYMS"), Y("CONFIG_KALLSYMS_ALL"), Y("CONFIG_MODULE_UNLOAD"))
        {
            Expoline = Y("CONFIG_EXPOLINE") && !Y("CONFIG_EXPOLINE_OFF"), // s390: nospec_disable's build-time default
            DynamicFtrace = Y("CONFIG_DYNAMIC_FTRACE"),
            DynamicFtraceWithRegs = Y("CONFIG_DYNAMIC_FTRACE_WITH_REGS"),
        };
    }

    /// <summary>
    /// PAGE_SIZE, which STRICT_MODULE_RWX aligns every region boundary to. 6.1 has no generic symbol for it: each
    /// arch has its own choice (powerpc CONFIG_PPC_{16,64,256}K_PAGES, arm64 CONFIG_ARM64_{16,64}K_PAGES, mips and
    /// others CONFIG_PAGE_SIZE_*KB); none set is 4 KiB.
    /// </summary>
    private static uint PageSizeOf(Func<string, bool> y)
    {
        (string Symbol, uint Size)[] choices =
        [
            ("CONFIG_PPC_256K_PAGES", 256 * 1024), ("CONFIG_PAGE_SIZE_256KB", 256 * 1024),
            ("CONFIG_PPC_64K_PAGES", 64 * 1024), ("CONFIG_ARM64_64K_PAGES", 64 * 1024), ("CONFIG_PAGE_SIZE_64KB", 64 * 1024),
            ("CONFIG_PAGE_SIZE_32KB", 32 * 1024),
            ("CONFIG_PPC_16K_PAGES", 16 * 1024), ("CONFIG_ARM64_16K_PAGES", 16 * 1024), ("CONFIG_PAGE_SIZE_16KB", 16 * 1024),
            ("CONFIG_PAGE_SIZE_8KB", 8 * 1024),
        ];
        foreach (var (symbol, size) in choices)
        {
            if (y(symbol))
            {
                return size;
            }
        }

        return 4096;
    }
}
