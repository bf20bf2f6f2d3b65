using System.Globalization;
using DynDbg.ElfSim.DynDbg;
using DynDbg.ElfSim.Elf;

namespace DynDbg.ElfSim.Reports;

/// <summary>The human summary that <c>load FILE</c> prints: file facts, profile and why, tables, column repetition.</summary>
public static class LoadTextReport
{
    public static void Write(TextWriter w, MainlineImage image)
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
}
