using DynDbg.ElfSim.Diagnostics;
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
    CheckedKind Kind,
    string? Profile,
    IReadOnlyList<(string Name, int Records)> Tables,
    IReadOnlyList<CheckFinding> Findings,
    DiagnosticException? Unreadable)
{
    public bool Failed => Unreadable is not null || Findings.Any(x => x.Severity == CheckSeverity.Error);

    /// <summary>How long the file's check took (JUnit's <c>time</c>).</summary>
    public TimeSpan Elapsed { get; init; }

    /// <summary>Reads and checks one file. A diet image (it has __dyndbg_sites) gets the diet checks; a mainline
    /// table must decode, and with <paramref name="diet"/> it is first transformed into that variant's objects and
    /// linked (<see cref="DietTransform"/>); a file without any table passes with nothing to check.</summary>
    public static FileCheck Run(string path, DietVariant? diet) => RunTimed(path, diet, walked: false)!;

    /// <summary>As <see cref="Run"/> for a file found by walking a tree: null when it is not an ELF file, which the
    /// walk skips.</summary>
    public static FileCheck? RunIfElf(string path, DietVariant? diet) => RunTimed(path, diet, walked: true);

    private static FileCheck? RunTimed(string path, DietVariant? diet, bool walked)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        return RunOnce(path, diet, walked) is { } check ? check with { Elapsed = clock.Elapsed } : null;
    }

    private static FileCheck? RunOnce(string path, DietVariant? diet, bool walked)
    {
        try
        {
            using var file = walked ? ElfFile.OpenIfElf(path) : ElfFile.Open(path);
            if (file is null)
            {
                return null;
            }

            switch (ImageReader.Read(file, null, diet, lazy: true))
            {
                case DietImage img:
                    var (load, findings) = Diet(file, img);
                    IReadOnlyList<(string, int)> tables = load is null
                        ? [(img.SiteRecords.Count > 0 ? img.SiteRecords[0].ModnameText ?? "?" : "?", img.Elements.Count)]
                        : load.Tables.Where(t => t.Created).Select(t => (t.ModName, t.Count)).ToArray();
                    return new FileCheck(path, CheckedKind.Diet, img.Layout.Name, tables, findings, null);
                case MainlineImage mainline when diet is { } variant:
                    return Transformed(path, mainline, variant);
                case MainlineImage { Decision: { } decision } mainline:
                    return new FileCheck(path, CheckedKind.Mainline, decision.Layout.Name, mainline.Tables.Select(t => (t.ModName, t.Count)).ToArray(), [], null);
                default:
                    return new FileCheck(path, CheckedKind.None, null, [], [], null);
            }
        }
        catch (DiagnosticException e)
        {
            return new FileCheck(path, CheckedKind.Unreadable, null, [], [], e);
        }
    }

    /// <summary>
    /// <c>check --diet V</c> on a mainline input: the diet transform, linked with the engine under the variant's
    /// script, then the static and post-load diet checks on the linked image (the variant is given, as a built-in v6
    /// image cannot tell itself from v5-nosite). All in memory: a module tree is thousands of transforms, and
    /// temporary files made most of the time system time.
    /// </summary>
    private static FileCheck Transformed(string path, MainlineImage image, DietVariant variant)
    {
        DietTransformResult r;
        IReadOnlyDictionary<string, byte[]> bytes;
        try
        {
            (r, bytes) = DietTransform.RunInMemory(image, variant);
        }
        catch (DiagnosticException e) when (e.Id == DyndbgErrorIds.NothingToTransform)
        {
            return new FileCheck(path, CheckedKind.None, null, [], [], null);
        }

        // Named as the on-disk link was (NAME.ko or vmlinux.o): the loader tells a module by that name too.
        using var lf = DietTransform.LinkInMemory(r, bytes, r.LinkedName);
        var img = (DietImage)ImageReader.Read(lf, null, variant);
        var (_, findings) = Diet(lf, img);
        return new FileCheck(path, CheckedKind.DietTransformed, img.Layout.Name, [(r.Name, img.Elements.Count)], findings, null);
    }

    /// <summary>
    /// A diet image's verdict: the static checks on the file (<see cref="DietChecks"/>), then the post-load ones on
    /// what the emulated loader or built-in init left (<see cref="PostLoadChecks"/>). A load the kernel would refuse
    /// is a finding with the loader's LDR ID; the load is null then, and also when the file cannot be loaded at all
    /// (<see cref="DietLoader.CanLoad"/>).
    /// </summary>
    public static (DietLoad? Load, List<CheckFinding> Findings) Diet(ElfFile file, DietImage img, bool? module = null, ulong? coreBase = null)
    {
        var findings = DietChecks.Run(img).ToList();
        if (!DietLoader.CanLoad(file, module))
        {
            return (null, findings); // no diet vmlinux script for this machine: the static verdict is all there is
        }

        try
        {
            var load = DietLoader.Load(file, img, coreBase, module: module);
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
