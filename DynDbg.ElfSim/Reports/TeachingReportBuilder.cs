using DynDbg.ElfSim.Checks;
using DynDbg.ElfSim.Compression;
using DynDbg.ElfSim.Diagnostics;
using DynDbg.ElfSim.DynDbg;
using DynDbg.ElfSim.Elf;
using DynDbg.ElfSim.Linking;
using DynDbg.ElfSim.Loading;

namespace DynDbg.ElfSim.Reports;

/// <summary>
/// Builds the <see cref="TeachingReport"/> from what the other commands compute, once each: the link of
/// <c>explain</c>/<c>link</c> (relocatable inputs, under the script), the load of <c>load</c> on the linked image
/// (<see cref="LoadOutcome"/>: module loader, diet load, findings), and <c>explain</c>'s reasons. A linked image
/// (vmlinux, ET_EXEC/ET_DYN) is shown as it is, without a link.
/// </summary>
public static class TeachingReportBuilder
{
    /// <summary>How many records the diet panel can walk: the selector's range, and a bound on the data embedded.</summary>
    public const int MaxWalks = 4096;

    /// <summary>The page of <paramref name="paths"/>; with <paramref name="vs"/> (a second script, a second set of
    /// inputs, or both) its GNU link is also compared with that link, the "before" of the before/after panel.</summary>
    public static TeachingReport Build(IReadOnlyList<string> paths, string? scriptPath, DietVariant? diet, VsLink? vs = null)
    {
        var files = new List<(string, ElfFile)>();
        try
        {
            foreach (var p in paths)
            {
                files.Add((p, ElfFile.Open(p)));
            }

            var linked = files.Where(f => f.Item2.Header.Type != ElfConstants.EtRel).ToList();
            if (linked.Count == 0)
            {
                var report = FromLink(files, scriptPath ?? BundledScripts.Default, diet);
                return vs is null ? report : report with { Diff = Compare(vs, paths, scriptPath ?? BundledScripts.Default, report.Layout) };
            }

            if (files.Count > 1 || scriptPath is not null || vs is not null)
            {
                var (name, f) = linked[0];
                throw new UsageException(UsageErrorIds.Usage, name, "ELF header", 0x10,
                    $"{FileFacts.TypeShort(f.Header)} is already linked: report links relocatable inputs only; give a linked image on its own, without -T, --vs or --vs-script");
            }

            return FromImage(files[0].Item2, diet);
        }
        finally
        {
            foreach (var (_, f) in files)
            {
                f.Dispose();
            }
        }
    }

    private static TeachingReport FromLink(List<(string, ElfFile)> files, string scriptPath, DietVariant? diet)
    {
        var script = BundledScripts.Load(scriptPath);
        var name = LinkName(scriptPath, files.Select(f => f.Item1).ToArray());
        var gnu = Linker.Link(script, files, new LinkOptions(name));
        var reasons = new List<string>(); // shared by both links, so a reason is one handle in either view
        var layout = Layout(gnu, "GNU ld: one .gnu.linkonce section per name", script, reasons);
        // lld's rule only differs where there are linkonce sections; the second link is skipped otherwise.
        var lld = gnu.AllInputSections.Any(s => s.IsLinkOnce)
            ? Layout(Linker.Link(script, files, new LinkOptions(name, LinkOnceRule.Lld)), "lld: every .gnu.linkonce copy kept", script, reasons)
            : null;
        using var image = ElfFile.FromBytes(name, gnu.ToElf().ToArray());
        // As load decides: a vmlinux script makes built-ins (dynamic_debug_init), any other script a module.
        var module = !scriptPath.Contains("vmlinux", StringComparison.Ordinal);
        var outcome = Load(image, diet, module);
        var load = !module ? null
            : outcome.Load?.Module is { } m ? new LoadView(m.Layout, m.CoreBase, m.InitBase, null)
            : outcome.Refusal is { } refusal ? new LoadView(null, null, null, refusal)
            : ModuleLoad(image);
        return new TeachingReport(name, files.Count == 1 ? files[0].Item1 : "the linked image", Kind(outcome), layout, lld, load,
            Diet(outcome), Compress(image, outcome), outcome.Findings, outcome.Load?.Notes ?? load?.Layout?.Notes ?? []);
    }

    /// <summary>The before/after panel's model: the second link made by the same engine, as the same
    /// <see cref="LayoutView"/>, compared section by section.</summary>
    private static LayoutDiff Compare(VsLink vs, IReadOnlyList<string> paths, string scriptPath, LayoutView after)
    {
        var inputs = vs.Inputs ?? paths;
        var script = vs.Script ?? scriptPath;
        var before = Linker.WithLink(inputs, script, new LinkOptions("(before)"), link => Layout(link, "before", link.Script, []));
        return LayoutDiff.Of(LinkName(script, inputs), before, LinkName(scriptPath, paths), after);
    }

    private static string LinkName(string script, IReadOnlyList<string> inputs) => $"ld -r -T {script} {string.Join(' ', inputs)}";

    private static TeachingReport FromImage(ElfFile file, DietVariant? diet)
    {
        var outcome = Load(file, diet, module: null);
        var sections = file.Sections.Where(s => s.Index > 0 && s.Type != ElfConstants.ShtNull)
            .OrderBy(s => !s.IsAlloc).ThenBy(s => s.IsAlloc ? s.Address : 0).ThenBy(s => s.Index)
            .Select(s => new OutputSectionView(s.Index, s.Name, s.Address, s.IsNoBits && !s.IsAlloc ? 0 : s.Size, s.IsAlloc, [], 0)).ToArray();
        var layout = new LayoutView($"{FileFacts.TypeShort(file.Header)}: already linked, its sections as they are", null, [file.Path], [], sections, [], [], []);
        return new TeachingReport(file.Path, file.Path, Kind(outcome), layout, null, null, Diet(outcome), Compress(file, outcome), outcome.Findings,
            outcome.Load?.Notes ?? []);
    }

    /// <summary>The image read and loaded as <c>load</c> reads it (<see cref="LoadOutcome.Of"/>).</summary>
    private static LoadOutcome Load(ElfFile file, DietVariant? diet, bool? module) =>
        LoadOutcome.Of(file, LoadOutcome.Read(file, null, diet), module, null);

    /// <summary>A mainline image is not loaded by <c>load</c>; its module layout is <c>load --sections</c>'s.</summary>
    private static LoadView ModuleLoad(ElfFile image)
    {
        try
        {
            return new LoadView(ModuleLoader.Layout(image, strict: false), null, null, null);
        }
        catch (LoaderRefusal r)
        {
            return new LoadView(null, null, null, r.OneLine);
        }
    }

    private static string Kind(LoadOutcome o) => o.Image switch
    {
        DietImage d => $"diet image, {d.Layout.Name}",
        MainlineImage { Region: null } => "no dyndbg table",
        MainlineImage m => $"mainline table, {m.Records.Count} records in {m.Tables.Count} table(s)",
        _ => "image",
    };

    /// <summary><c>compress</c>'s study of a mainline table, without timings (the page shows sizes; times belong to
    /// benchmarks, and untimed the page is the same on every run).</summary>
    private static CompressionResult? Compress(ElfFile file, LoadOutcome o) =>
        o.Image is MainlineImage { Region: not null } m ? CompressionStudy.Run(SiteTable.From(file, m), new SiteStoreOptions()) : null;

    private static DietView? Diet(LoadOutcome o) => o.Load is { } load ? new DietView(load, DietWalk.Of(load, MaxWalks), o.Findings) : null;

    /// <summary>One link as panel 1 draws it and <c>explain --format json</c> writes it, with <c>explain</c>'s reason
    /// for every input section (an index into <paramref name="reasons"/>, which several links may share).</summary>
    public static LayoutView Layout(LinkResult link, string rule, LinkerScript script, List<string> reasons)
    {
        var fileIndex = link.Inputs.Select((f, i) => (f, i)).ToDictionary(x => x.f, x => x.i);
        var reasonIndex = reasons.Select((t, i) => (t, i)).ToDictionary(x => x.t, x => x.i, StringComparer.Ordinal);
        InputSectionView View(InputSection s, ulong elementSize)
        {
            var why = LinkExplainReport.Why(s, link);
            if (!reasonIndex.TryGetValue(why, out var w))
            {
                reasonIndex[why] = w = reasons.Count;
                reasons.Add(why);
            }

            var element = s.IsLinkOnce && elementSize > 0 && s.OutputOffset % elementSize == 0 ? (long)(s.OutputOffset / elementSize) : -1;
            var line = s.PlacedBy?.Location.FileLine;
            return new InputSectionView(fileIndex[s.File], s.Name, s.OutputOffset, s.Size, line, w,
                s.Output is not null && s.PlacedBy is null, s.IsLinkOnce, element);
        }

        var sections = new List<OutputSectionView>();
        foreach (var o in link.Sections)
        {
            var elementSize = LinkExplainReport.ElementSize(o);
            sections.Add(new OutputSectionView(sections.Count, o.Name, o.Address, o.Size, (o.Flags & SectionFlags.Alloc) != 0,
                o.Inputs.Select(i => View(i, elementSize)).ToArray(), elementSize));
        }

        var discarded = link.Discarded.Select(s => View(s, 0)).ToArray();
        // Lines as ld counts them (the last newline ends a line, it does not start one).
        var lines = script.Files.SelectMany(f => BundledScripts.Text(f).ReplaceLineEndings("\n").TrimEnd('\n').Split('\n')
            .Select((t, i) => new ScriptLineView($"{f}:{i + 1}", f, i + 1, t))).ToArray();
        return new LayoutView(rule, script.Name, link.Inputs.Select(f => f.Path).ToArray(), lines,
            sections.OrderBy(s => !s.Alloc).ThenBy(s => s.Address).ThenBy(s => s.Index).ToArray(), discarded, reasons, LinkExplainReport.HeaderLines(link));
    }
}

/// <summary><c>report --vs-script S2</c> / <c>--vs FILE...</c>: the link the page is compared with (null: the page's own
/// script or inputs).</summary>
public sealed record VsLink(string? Script, IReadOnlyList<string>? Inputs);
