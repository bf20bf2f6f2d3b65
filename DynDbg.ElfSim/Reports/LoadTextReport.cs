using System.Globalization;
using DynDbg.ElfSim.Checks;
using DynDbg.ElfSim.DynDbg;
using DynDbg.ElfSim.Elf;
using DynDbg.ElfSim.Loading;

namespace DynDbg.ElfSim.Reports;

/// <summary>
/// The human summary that <c>load FILE</c> prints. A mainline table: file facts, profile and why, tables, column
/// repetition. A diet image: where both arrays landed, what the loader counted, the element-0 header pair before
/// and after the table was built, one line per <c>__ddebug_add_module</c> call, the kernel's log, and the verdict.
/// </summary>
public static class LoadTextReport
{
    public static void Write(TextWriter w, LoadOutcome outcome)
    {
        switch (outcome.Image)
        {
            case MainlineImage m:
                WriteMainline(w, m);
                break;
            default:
                WriteDiet(w, outcome.Load!, outcome.Findings);
                break;
        }
    }

    private static void WriteMainline(TextWriter w, MainlineImage image)
    {
        var f = image.File;
        var h = f.Header;
        w.WriteLine($"File:      {f.Path}");
        w.WriteLine($"ELF:       {FileFacts.Format(h)}, {h.TypeName}, {ElfMachineNames.Describe(h.Machine, h.Is64)} ({ElfMachineNames.ElfName(h.Machine)})");
        w.WriteLine($"Kind:      {image.KindReason}");
        if (image.Region is not { } region || image.Decision is not { } decision)
        {
            w.WriteLine("Table:     none (no __dyndbg or __verbose section, no __start___dyndbg symbol)");
            return;
        }

        w.WriteLine($"Table:     {region.Origin}, file offset 0x{region.FileOffset:x}, {region.Size} bytes");
        w.WriteLine($"Profile:   {decision.Layout.Name}: {decision.Layout.Describe()}");
        foreach (var e in decision.Evidence)
        {
            w.WriteLine($"           - {e}");
        }

        w.WriteLine($"Records:   {image.Records.Count} in {image.Tables.Count} table{(image.Tables.Count == 1 ? "" : "s")}");
        if (image.Tables.Count > 0)
        {
            var width = Math.Max(6, image.Tables.Max(t => t.ModName.Length));
            w.WriteLine();
            w.WriteLine($"  {"module".PadRight(width)}  records  index");
            foreach (var t in image.Tables)
            {
                var classes = t.Classes.Count > 0 ? $"  classes: {string.Join(", ", t.Classes.Select(c => $"{c.ClassNames.Count} from {c.Base}"))}" : "";
                w.WriteLine($"  {t.ModName.PadRight(width)}  {t.Count,7}  {t.First}..{t.First + t.Count - 1}{classes}");
            }

            w.WriteLine();
            w.WriteLine("  column    repeats  percent     runs  distinct  same-pointer");
            foreach (var c in ColumnRepetition.Measure(image.Records))
            {
                w.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  {c.Column,-8} {c.Repeats,8} {c.Percent,7:0.0}% {c.Runs,8} {c.Distinct,9} {c.PointerRepeats,13}"));
            }
        }
    }

    private static void WriteDiet(TextWriter w, DietLoad load, IReadOnlyList<CheckFinding> findings)
    {
        var f = load.Memory.File;
        var h = f.Header;
        var l = load.Layout;
        w.WriteLine($"File:      {load.Path}");
        w.WriteLine($"ELF:       {FileFacts.Format(h)}, {h.TypeName}, {ElfMachineNames.Describe(h.Machine, h.Is64)} ({ElfMachineNames.ElfName(h.Machine)})");
        w.WriteLine($"Kind:      {(load.BuiltIn ? "built-in: dynamic_debug_init walks __start___dyndbg and __start___dyndbg_sites" : "loadable module: load_module, find_module_sections, dynamic_debug_setup, ddebug_add_module")}");
        w.WriteLine($"Profile:   diet {l.Name}: {l.RecordSize}-byte descriptors, {l.SiteSize}-byte sites, {l.HeaderSize}-byte header union");
        foreach (var e in load.Evidence)
        {
            w.WriteLine($"           - {e}");
        }

        w.WriteLine($"{l.DescriptorSection + ":",-16}{load.DescriptorWhere}, {load.DescriptorBytes} bytes");
        w.WriteLine($"{DietLayout.SiteSection + ":",-16}{load.SiteWhere}, {load.SiteBytes} bytes");
        w.WriteLine($"Counts:    {load.NumDescs} descriptors, {load.NumSites} sites, {(load.BuiltIn ? $"{load.NumDebug} walked" : $"num_debug {load.NumDebug}")}");
        w.WriteLine($"Header:    element 0 {HeaderNow(load)}");
        if (load.Tables.Count > 0)
        {
            var width = Math.Max(6, load.Tables.Max(t => t.ModName.Length));
            w.WriteLine();
            var aw = (l.PointerSize * 2) + 2;
            w.WriteLine($"  {"module".PadRight(width)}  first   base  count  {IndexColumn(l),-11}  {"tab".PadRight(aw)}  {"sites".PadRight(aw)}  header at add     table    verdict");
            for (var t = 0; t < load.Tables.Count; t++)
            {
                var table = load.Tables[t];
                var range = IndexRange(load, table) ?? "-";
                var header = table.HeaderFound ? "header pair" : "none";
                var created = table.Created ? "created" : table.HeaderFound ? "skip hdr" : "skip";
                var tab = $"0x{table.DescriptorAddress.ToString($"x{l.PointerSize * 2}")}";
                var sites = $"0x{table.SiteAddress.ToString($"x{l.PointerSize * 2}")}";
                w.WriteLine($"  {table.ModName.PadRight(width)}  {table.First,5}  {table.Base,5}  {table.Count,5}  {range,-11}  {tab}  {sites}  {header,-16}  {created,-8} {Verdict(findings, table.ModName, l)}");
            }
        }

        if (load.Log.Count > 0)
        {
            w.WriteLine();
            w.WriteLine("Log:");
            foreach (var line in load.Log)
            {
                w.WriteLine($"  {line}");
            }
        }

        foreach (var n in load.Notes)
        {
            w.WriteLine($"Note:      {n}");
        }

        w.WriteLine();
        var errors = findings.Where(x => x.Severity == CheckSeverity.Error).ToArray();
        var hazards = findings.Where(x => x.Severity == CheckSeverity.Hazard && x.Id.StartsWith("DDG", StringComparison.Ordinal)).Select(x => x.Id).Distinct().ToArray();
        var known = hazards.Length == 0 ? "" : $" (the profile's known hazards break {string.Join(", ", hazards)})";
        w.WriteLine($"Verdict:   {(errors.Length == 0 ? "ok" + known : "FAIL " + string.Join(", ", errors.Select(x => x.Id).Distinct()))}");
        foreach (var x in findings)
        {
            w.WriteLine($"  {x.OneLine(load.Path)}");
        }
    }

    /// <summary>The header pair at element 0 now (after the writes), tested as <c>ddebug_site_get</c> tests it.</summary>
    public static string HeaderNow(DietLoad load)
    {
        if (load.DescriptorBytes < (ulong)load.Layout.HeaderSize || load.SiteBytes < (ulong)load.Layout.SiteSize)
        {
            return "none (arrays too short)";
        }

        var (ok, why) = DietLoader.HeaderPair(load.Memory, load.Layout, load.Descriptors, load.Sites);
        var atAdd = load.Tables.Count > 0 && load.Tables[0].HeaderFound ? "markers ok at add_module" : "no header pair at add_module";
        return ok ? $"{atAdd}, ok after load" : $"{atAdd}, broken after load: {why}";
    }

    /// <summary>The post-load <c>_index</c> (v6 <c>_back</c>) of the table's first and last element.</summary>
    public static string? IndexRange(DietLoad load, DietTable table)
    {
        var l = load.Layout;
        if (!table.Created || table.Count == 0 || (ulong)(table.First + table.Count) * (ulong)l.RecordSize > load.DescriptorBytes)
        {
            return null;
        }

        uint Index(int k) => l.Index.Get(load.Memory.U32(DietLoader.Field(load.Descriptors, k, l.RecordSize, l.Unit0Offset)));
        return $"{Index(table.First)}..{Index(table.First + table.Count - 1)}";
    }

    public static string IndexColumn(DietLayout l) => l.Variant == DietVariant.V6 ? "_back" : "_index";

    /// <summary>"ok", or the IDs of the post-load errors reported for the table; invariants that only the profile's
    /// own §7 hazards break are shown in parentheses, e.g. "ok (DDG013)".</summary>
    public static string Verdict(IReadOnlyList<CheckFinding> findings, string table, DietLayout l)
    {
        var where = $"{l.DescriptorSection} table '{table}'";
        string[] Ids(CheckSeverity s) => findings.Where(x => x.Where == where && x.Severity == s).Select(x => x.Id).Distinct().ToArray();
        var errors = Ids(CheckSeverity.Error);
        var hazards = Ids(CheckSeverity.Hazard);
        return errors.Length > 0 ? string.Join(",", errors) : hazards.Length > 0 ? $"ok ({string.Join(",", hazards)})" : "ok";
    }
}
