using DynDbg.ElfSim.DynDbg;
using DynDbg.ElfSim.Elf;
using DynDbg.ElfSim.Loading;

namespace DynDbg.ElfSim.Checks;

/// <summary>
/// The verdict for one input of <c>check</c>: what it is (diet image, mainline table, no table), its profile, the
/// tables it yields, the findings, or the one error that made it unreadable.
/// </summary>
public sealed record FileCheck(
    string Path,
    string Kind,
    string? Profile,
    IReadOnlyList<(string Name, int Records)> Tables,
    IReadOnlyList<CheckFinding> Findings,
    ElfFormatException? Unreadable)
{
    public bool Failed => Unreadable is not null || Findings.Any(x => x.Severity == CheckSeverity.Error);

    /// <summary>Reads and checks one file. A diet image (it has __dyndbg_sites) gets the diet checks; a mainline
    /// table must decode; a file without any table passes with nothing to check.</summary>
    public static FileCheck Run(string path, DietVariant? diet)
    {
        try
        {
            using var file = ElfFile.Open(path);
            if (DietImage.IsDiet(file) || diet is not null)
            {
                var img = DietImage.Load(file, diet);
                if (img is null)
                {
                    return new FileCheck(path, "mainline", null, [], [], new ElfFormatException(ErrorIds.Usage, path, "file", null,
                        "--diet asks for the diet transform of a mainline table, which is not implemented yet (issue 4's `diet` command); check it without --diet"));
                }

                var (load, findings) = Diet(file, img, diet);
                IReadOnlyList<(string, int)> tables = load is null
                    ? [(img.SiteRecords.Count > 0 ? img.SiteRecords[0].ModnameText ?? "?" : "?", img.Elements.Count)]
                    : load.Tables.Where(t => t.Created).Select(t => (t.ModName, t.Count)).ToArray();
                return new FileCheck(path, "diet", img.Layout.Name, tables, findings, null);
            }

            var mainline = DyndbgImage.Load(file);
            return mainline.Decision is null
                ? new FileCheck(path, "none", null, [], [], null)
                : new FileCheck(path, "mainline", mainline.Decision.Layout.Name, mainline.Tables.Select(t => (t.ModName, t.Count)).ToArray(), [], null);
        }
        catch (ElfFormatException e)
        {
            return new FileCheck(path, "unreadable", null, [], [], e);
        }
    }

    /// <summary>
    /// A diet image's verdict: the static checks on the file (<see cref="DietChecks"/>), then the post-load ones on
    /// what the emulated loader or built-in init left (<see cref="PostLoadChecks"/>). A load the kernel would refuse
    /// is a finding with the loader's LDR ID; the load is null then, and also when the file cannot be loaded at all
    /// (<see cref="DietLoader.CanLoad"/>).
    /// </summary>
    public static (DietLoad? Load, List<CheckFinding> Findings) Diet(ElfFile file, DietImage img, DietVariant? diet, bool? module = null, ulong? coreBase = null)
    {
        var findings = DietChecks.Run(img).ToList();
        if (!DietLoader.CanLoad(file, module))
        {
            return (null, findings); // no diet vmlinux script for this machine: the static verdict is all there is
        }

        try
        {
            var load = DietLoader.Load(file, diet, coreBase, module: module)!;
            findings.AddRange(PostLoadChecks.Run(load));
            return (load, findings);
        }
        catch (LoaderRefusal r)
        {
            findings.Add(new CheckFinding(r.Id, CheckSeverity.Error, "§2", "load_module", -1, 0, $"load_module would fail with {r.Errno}: {r.Message}"));
            return (null, findings);
        }
    }
}
