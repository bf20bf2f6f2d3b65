using System.Globalization;
using DynDbg.ElfSim.Arch;
using DynDbg.ElfSim.Diagnostics;
using DynDbg.ElfSim.Elf;
using DynDbg.ElfSim.Loading;
using DynDbg.ElfSim.Reports;

namespace DynDbg.ElfSim.Cli;

/// <summary>
/// <c>load FILE... --sections [--base ADDR] [--init-base ADDR] [--kernel-config F] [--cpu C] [--format text|json]</c>:
/// the module loader's placement of every allocated section. A module the kernel would refuse is exit 1 with the
/// kernel's message; unreadable input is exit 2.
/// </summary>
public static class LoadSectionsMode
{
    public static int Run(CliOutput io, IReadOnlyList<string> paths, string? coreBase, string? initBase, string? configPath, ReportFormat format,
        ModuleArchOptions? cpu = null)
    {
        if (!TryAddress(coreBase, out var cb) || !TryAddress(initBase, out var ib))
        {
            return io.Usage($"--base/--init-base take a hexadecimal address, got '{(TryAddress(coreBase, out _) ? initBase : coreBase)}'");
        }

        KernelConfig config;
        try
        {
            config = configPath is null ? KernelConfig.Debian61 : KernelConfig.FromConfigFile(configPath);
        }
        catch (IOException e)
        {
            return io.Usage($"--kernel-config: {e.Message}");
        }
        catch (DiagnosticException e)
        {
            return io.Fail(e);
        }

        var layouts = new List<(string Path, ModuleLayout Layout)>();
        try
        {
            foreach (var path in paths)
            {
                using var file = ElfFile.Open(path);
                layouts.Add((path, ModuleLoader.Layout(file, config, arch: cpu)));
            }
        }
        catch (DiagnosticException e)
        {
            return io.Fail(e);
        }
        catch (LoaderRefusal r)
        {
            io.Out.Flush();
            io.Error.WriteLine(r.OneLine);
            return ExitCodes.CheckFailed;
        }

        io.Print(layouts, format, (j, l) => SectionsReport.WriteJson(j, l.Path, l.Layout, cb, ib), (w, l) => SectionsReport.WriteText(w, l.Path, l.Layout, cb, ib));
        return ExitCodes.Ok;
    }

    internal static bool TryAddress(string? text, out ulong? value)
    {
        value = null;
        if (text is null)
        {
            return true;
        }

        var hex = text.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? text[2..] : text;
        if (ulong.TryParse(hex, NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var v))
        {
            value = v;
            return true;
        }

        return false;
    }
}
