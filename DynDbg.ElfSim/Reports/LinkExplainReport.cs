using System.Text;
using DynDbg.ElfSim.Linking;

namespace DynDbg.ElfSim.Reports;

/// <summary>
/// The teaching view of a link (<c>explain</c>): for every input section, where it went, at which offset, and which
/// script line put it there (or which orphan rule, or why it was discarded); then the inputs as they sit in their
/// files and the output sections as they come out, with the <c>.gnu.linkonce.*</c> header's element index, so the
/// diet plan's "header at element 0" (reference section 6.9, invariants 3 and 4) can be seen.
/// </summary>
public static class LinkExplainReport
{
    public static void Write(TextWriter w, LinkResult link, IReadOnlyList<string> inputNames, string scriptName)
    {
        var rule = link.Options.LinkOnce == LinkOnceRule.Gnu
            ? ".gnu.linkonce: GNU rule, one section per name"
            : ".gnu.linkonce: lld rule, every copy kept";
        w.WriteLine($"explain: ld -r -T {scriptName} {string.Join(' ', inputNames)}");
        w.WriteLine($"         GNU ld 2.40 layout rules; {rule}");
        w.WriteLine();
        WherePlaced(w, link);
        w.WriteLine();
        if (link.Properties is { } props)
        {
            w.WriteLine(props.Summary(link.LoadOrder));
            foreach (var line in props.Log)
            {
                w.WriteLine($"  ld: {line}");
            }

            w.WriteLine();
        }

        if (link.AttributeLog.Count > 0)
        {
            w.WriteLine(link.AttributeLog[0]);
            foreach (var line in link.AttributeLog.Skip(1))
            {
                w.WriteLine($"  {line}");
            }

            w.WriteLine();
        }

        Headers(w, link);
        w.WriteLine();
        Before(w, link);
        w.WriteLine();
        After(w, link);
    }

    private static string Hex(ulong v) => $"0x{v:x}";

    private static void WherePlaced(TextWriter w, LinkResult link)
    {
        w.WriteLine("Where every input section went");
        var rows = new List<string[]> { new[] { "input", "section", "size", "align", "output section", "offset", "why" } };
        foreach (var f in link.Inputs)
        {
            foreach (var s in f.Sections)
            {
                rows.Add([f.Path, s.Name, Hex(s.Size), s.Alignment.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    s.Output?.Name ?? "(discarded)", s.Output is null ? "" : Hex(s.OutputOffset), Why(s, link)]);
            }
        }

        Table(w, rows, rightAligned: [2, 3, 5]);
    }

    /// <summary>The reason a section is where it is, with the script line when a description placed it.</summary>
    internal static string Why(InputSection s, LinkResult link) =>
        s.EditNote is { } note ? $"{Placement(s, link)}; {note}" : Placement(s, link);

    private static string Placement(InputSection s, LinkResult link)
    {
        switch (s.Discarded)
        {
            case DiscardReason.LinkOnceDuplicate when !s.Name.StartsWith(".gnu.linkonce", StringComparison.Ordinal):
                return $"{s.Name} is kept once (a backend marks it SEC_LINK_ONCE, as elfxx-mips.c does .MIPS.abiflags): {s.KeptInstead!.File.Path}'s is kept and holds the merged flags";
            case DiscardReason.LinkOnceDuplicate when s.KeptInstead?.Group is { } single:
                return $"{s.Name} was replaced by the single-member COMDAT group [{single.Signature}] of {s.KeptInstead.File.Path}, which defines the same symbols (_bfd_elf_section_already_linked)";
            case DiscardReason.GroupDuplicate when s.Group?.KeptGroup is { } kg:
                return $"COMDAT group [{kg.Signature}] was already linked from {kg.Section.File.Path}: ld keeps the first group of each signature and discards the others whole (_bfd_elf_section_already_linked)";
            case DiscardReason.GroupDuplicate:
                return s.KeptInstead is { } linkOnce
                    ? $"single-member COMDAT group [{s.Group?.Signature}] replaced by {linkOnce.File.Path}({linkOnce.Name}), a .gnu.linkonce section that defines the same symbols (_bfd_elf_section_already_linked)"
                    : $"COMDAT group [{s.Group?.Signature}]: its only member was replaced by a .gnu.linkonce section that defines the same symbols (_bfd_elf_section_already_linked)";
            case DiscardReason.LinkOnceDuplicate:
                var lld = link.Options.LinkOnce == LinkOnceRule.Gnu ? " (lld would keep it)" : "";
                return $"{s.Name} was already linked from {s.KeptInstead!.File.Path}: GNU ld keeps one .gnu.linkonce section per name{lld}";
            case DiscardReason.DiscardStatement when s.PlacedBy is { } d:
                return $"{d.Location.FileLine} /DISCARD/ {d.Print()}";
            case DiscardReason.DiscardStatement:
                return "SHF_EXCLUDE";
            case DiscardReason.CommonNotPlaced:
                return "common symbols stay common in ld -r: only a script pattern places this section";
            case DiscardReason.PropertyNoteMerged when link.Properties?.Kept is { } kept:
                return $"GNU properties merged into {kept.File.Path}'s .note.gnu.property";
            case DiscardReason.PropertyNoteMerged:
                return "GNU properties merged; nothing was left, so ld drops every .note.gnu.property";
        }

        if (s.PlacedBy is { } by)
        {
            return $"{by.Location.FileLine} {by.Print()}{(by.Keep ? " (KEEP)" : "")}";
        }

        return s.OrphanReason ?? "orphan";
    }

    /// <summary>Where each .gnu.linkonce.* header landed: element 0 of its array, or not.</summary>
    private static void Headers(TextWriter w, LinkResult link)
    {
        w.WriteLine(".gnu.linkonce headers");
        foreach (var line in HeaderLines(link))
        {
            w.WriteLine($"  {line}");
        }
    }

    /// <summary>The lines of <see cref="Headers"/>, for the text and the HTML views alike.</summary>
    internal static IReadOnlyList<string> HeaderLines(LinkResult link)
    {
        var lines = new List<string>();
        var linkOnce = link.AllInputSections.Where(s => s.IsLinkOnce).ToList();
        if (linkOnce.Count == 0)
        {
            return ["none in the inputs"];
        }

        foreach (var group in linkOnce.GroupBy(s => s.Name))
        {
            var kept = group.Where(s => s.Output is not null).ToList();
            var dropped = group.Count() - kept.Count;
            foreach (var s in kept)
            {
                var o = s.Output!;
                string where;
                if (o.Name == s.Name)
                {
                    where = $"is an output section of its own ({o.Name}): no array holds it, so it is no array's element 0";
                }
                else if (s.Size > 0 && s.OutputOffset % s.Size == 0)
                {
                    var index = s.OutputOffset / s.Size;
                    where = index == 0
                        ? $"is element 0 of {o.Name} ({Hex(s.Size)}-byte elements)"
                        : $"is element {index} of {o.Name}, NOT element 0 ({Hex(s.Size)}-byte elements)";
                }
                else
                {
                    where = $"is at {o.Name}+{Hex(s.OutputOffset)}, not on an element boundary";
                }

                lines.Add($"{s.Name} from {s.File.Path} {where}");
            }

            if (dropped > 0)
            {
                lines.Add(link.Options.LinkOnce == LinkOnceRule.Gnu
                    ? $"{dropped} more cop{(dropped == 1 ? "y" : "ies")} of {group.Key} discarded (GNU rule); lld would keep {(dropped == 1 ? "it" : "them")}, putting {kept.Count + dropped} copies in {string.Join(", ", kept.Select(k => k.Output!.Name).Distinct())} (--linkonce lld shows that layout)"
                    : $"{dropped} more cop{(dropped == 1 ? "y" : "ies")} of {group.Key} discarded");
            }
            else if (kept.Count > 1)
            {
                lines.Add($"{kept.Count} copies of {group.Key} kept: more than one header in the array (reference invariant 4 wants one)");
            }
        }

        return lines;
    }

    private static void Before(TextWriter w, LinkResult link)
    {
        w.WriteLine("Before: the inputs as they sit in their files");
        foreach (var f in link.Inputs)
        {
            w.WriteLine($"  {f.Path}");
            var line = new StringBuilder("    ");
            foreach (var s in f.Sections)
            {
                var cell = $"[{s.Name} {Hex(s.Size)}] ";
                if (line.Length + cell.Length > 110 && line.Length > 4)
                {
                    w.WriteLine(line.ToString().TrimEnd());
                    line.Clear().Append("    ");
                }

                line.Append(cell);
            }

            w.WriteLine(line.ToString().TrimEnd());
        }
    }

    private static void After(TextWriter w, LinkResult link)
    {
        w.WriteLine("After: the output sections in file order");
        foreach (var o in link.Sections)
        {
            var inputs = o.Inputs;
            var header = inputs.FirstOrDefault(i => i.IsLinkOnce && i.Size > 0);
            var elementSize = ElementSize(o);
            w.WriteLine($"  {o.Name}  address {Hex(o.Address)}  size {Hex(o.Size)}  align {o.WrittenAlignment}" +
                        (elementSize > 0 ? $"  ({Hex(elementSize)}-byte elements, from the header's size)" : ""));
            var rows = new List<string[]>();
            foreach (var i in inputs)
            {
                var element = "";
                if (elementSize > 0 && i.OutputOffset % elementSize == 0 && i.Size % elementSize == 0 && i.Size > 0)
                {
                    var first = i.OutputOffset / elementSize;
                    var last = first + (i.Size / elementSize) - 1;
                    element = first == last ? $"[{first}]" : $"[{first}..{last}]";
                }

                var note = !i.IsLinkOnce ? ""
                    : elementSize == 0 ? "<- header, alone in an output section of its own"
                    : ReferenceEquals(i, header) && i.OutputOffset == 0 ? "<- header at element 0"
                    : "<- header";
                rows.Add([$"+{Hex(i.OutputOffset)}", element, Hex(i.Size), i.File.Path, i.Name, note]);
            }

            if (rows.Count == 0)
            {
                w.WriteLine("    (no input sections: made by assignments or data)");
                continue;
            }

            Table(w, rows, rightAligned: [0, 2], indent: "    ");
        }
    }

    /// <summary>The element size of an output section that a <c>.gnu.linkonce.*</c> header makes an array of (the
    /// header's size), or 0.</summary>
    internal static ulong ElementSize(OutputSection o)
    {
        var header = o.Inputs.FirstOrDefault(i => i.IsLinkOnce && i.Size > 0);
        return header is not null && header.Name != o.Name ? header.Size : 0;
    }

    private static void Table(TextWriter w, List<string[]> rows, int[] rightAligned, string indent = "  ")
    {
        var widths = new int[rows.Max(r => r.Length)];
        foreach (var r in rows)
        {
            for (var c = 0; c < r.Length - 1; c++)
            {
                widths[c] = Math.Max(widths[c], r[c].Length);
            }
        }

        foreach (var r in rows)
        {
            var sb = new StringBuilder(indent);
            for (var c = 0; c < r.Length; c++)
            {
                if (c == r.Length - 1)
                {
                    sb.Append(r[c]);
                    break;
                }

                sb.Append(rightAligned.Contains(c) ? r[c].PadLeft(widths[c]) : r[c].PadRight(widths[c])).Append("  ");
            }

            w.WriteLine(sb.ToString().TrimEnd());
        }
    }
}
