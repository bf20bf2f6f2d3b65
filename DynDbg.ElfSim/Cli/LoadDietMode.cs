using DynDbg.ElfSim.Checks;
using DynDbg.ElfSim.DynDbg;
using DynDbg.ElfSim.Elf;
using DynDbg.ElfSim.Linking;
using DynDbg.ElfSim.Loading;
using DynDbg.ElfSim.Reports;

namespace DynDbg.ElfSim.Cli;

/// <summary>
/// <c>load</c> on diet images (they have <c>__dyndbg_sites</c>, or <c>--diet</c> names the variant): each module is
/// loaded and added as the diet plan's loader would, each vmlinux / vmlinux.o goes through the diet plan's
/// built-in init, and the per-table report ends with the static + post-load verdict (exit 1 when it fails).
/// Several inputs without <c>--separate</c> are linked as one module first (<c>ld -r -T module.lds</c>).
/// </summary>
public static class LoadDietMode
{
    /// <summary>True when <c>load</c> should take this path: <c>--diet</c> given, or the first input is a diet image.</summary>
    public static bool Applies(IReadOnlyList<string> paths, string? diet)
    {
        if (diet is not null)
        {
            return true;
        }

        try
        {
            using var f = ElfFile.Open(paths[0]);
            return DietImage.IsDiet(f);
        }
        catch (ElfFormatException)
        {
            return false; // the mainline path reports it
        }
    }

    public static int Run(CliOutput io, IReadOnlyList<string> paths, string? diet, string format, string? script, bool separate, ulong? coreBase)
    {
        var variant = diet is null ? null : DietLayout.ParseVariant(diet);
        if (diet is not null && variant is null)
        {
            return io.Usage($"--diet takes v5, v5-nosite or v6, got '{diet}'");
        }

        if (script is not null && script.Contains("vmlinux", StringComparison.Ordinal))
        {
            return io.Usage("load links diet inputs as a module; give a vmlinux.o on its own and it is linked with the diet vmlinux script");
        }

        var results = new List<(DietLoad Load, IReadOnlyList<CheckFinding> Findings)>();
        try
        {
            if (separate || (paths.Count == 1 && script is null))
            {
                foreach (var path in paths)
                {
                    using var file = ElfFile.Open(path);
                    results.Add(LoadOne(file, variant, null, coreBase));
                }
            }
            else
            {
                using var file = Linker.LinkToMemory(paths, script ?? LoadCommand.DefaultScript);
                results.Add(LoadOne(file, variant, true, coreBase));
            }
        }
        catch (ElfFormatException e)
        {
            return io.Fail(e);
        }
        catch (Refused r)
        {
            // The input was read; the kernel's loader would refuse it (LDRnnn): a failed check, not bad input.
            io.Out.Flush();
            io.Error.WriteLine(r.Message);
            return ExitCodes.CheckFailed;
        }

        io.Print(results, format, (j, r) => DietLoadJsonReport.Write(j, r.Load, r.Findings), (w, r) => DietLoadTextReport.Write(w, r.Load, r.Findings));
        return results.Any(r => r.Findings.Any(x => x.Severity == CheckSeverity.Error)) ? ExitCodes.CheckFailed : ExitCodes.Ok;
    }

    private static (DietLoad, IReadOnlyList<CheckFinding>) LoadOne(ElfFile file, DietVariant? variant, bool? module, ulong? coreBase)
    {
        var img = DietImage.Load(file, variant) ?? throw new ElfFormatException(ErrorIds.Usage, file.Path, "file", null,
            "not a diet image (no __dyndbg_sites); --diet reads diet images, it does not transform mainline tables");
        if (!DietLoader.CanLoad(file, module))
        {
            throw DietLoader.CannotLoad(file);
        }

        var (load, findings) = FileCheck.Diet(file, img, variant, module, coreBase);
        return load is null ? throw new Refused(findings[^1].OneLine(file.Path)) : (load, findings);
    }

    private sealed class Refused(string line) : Exception(line);
}
