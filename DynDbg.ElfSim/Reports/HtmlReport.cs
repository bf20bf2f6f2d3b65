using System.Globalization;
using System.Text.Json;
using DynDbg.ElfSim.Checks;
using DynDbg.ElfSim.Compression;
using DynDbg.ElfSim.DynDbg;
using DynDbg.ElfSim.Loading;

namespace DynDbg.ElfSim.Reports;

/// <summary>
/// <c>report -o FILE.html</c>: the <see cref="TeachingReport"/> as one self-contained page (inline SVG, CSS and a
/// little script; no network, no fonts). Panel 1 is drawn here at both scales (linear and log), the script only
/// swaps them and wires the hover; panel 3 is drawn by the script from the walks embedded as JSON, so any record
/// can be chosen. Sections narrower than a pixel are drawn as one box per run, so the page stays linear in the
/// number of sections.
/// </summary>
public static class HtmlReport
{
    private const double StripWidth = 1100;
    private const double MinBox = 4;
    private const double Gap = 2;
    private const int CalloutRows = 4;

    /// <summary>A label is drawn only this far (px) right of the last one drawn at the same scale, so they never
    /// overlap; the hover box names the others.</summary>
    private const double LabelPitch = 15;
    private const double BoxHeight = 56;

    /// <summary>Labels and table rows stop here: past it the hover box names things (the DOM stays small).</summary>
    private const int MaxLabelled = 400;
    private const int MaxRows = 500;

    public static void Write(TextWriter text, TeachingReport r) => Page(text, r, full: true);

    /// <summary><c>explain --format html</c>: the same page with panel 1 alone, drawn from the one
    /// <see cref="LayoutView"/> that <c>explain --format json</c> writes.</summary>
    public static void WriteLayout(TextWriter text, string command, LayoutView layout) =>
        Page(text, new TeachingReport(command, command, "explain: the link alone (report adds the load, the diet indirection and the findings)", layout,
            null, null, null, null, [], []), full: false);

    private static void Page(TextWriter text, TeachingReport r, bool full)
    {
        var h = new HtmlWriter(text);
        h.Raw("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
            .Raw("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">").Line();
        h.Start("title").End().Text($"dyndbg-elfsim {(full ? "report" : "explain")}: {r.Image}").Close("title").Line();
        h.Raw("<style>").Raw(Asset("report.css")).Raw("</style></head>").Line();
        h.Start("body").Attr("data-failed", r.Failed ? "true" : "false").End().Line();
        var used = new Used();
        Header(h, r, full);
        LayoutPanel(h, r, used);
        if (full)
        {
            if (r.Diff is { } diff)
            {
                BeforeAfterPanel(h, diff);
            }

            LoadPanel(h, r.Load, r.Diet);
            DietPanel(h, r.Diet);
            CompressionPanel(h, r);
            Findings(h, r);
        }

        h.Start("script").Attr("type", "application/json").Attr("id", "report-data").End();
        h.Raw(Data(r, used));
        h.Close("script").Line();
        h.Raw("<script>").Raw(Asset("report.js")).Raw("</script>").Line();
        h.Raw("</body></html>").Line();
    }

    private static string Hex(ulong v) => $"0x{v:x}";

    private static string Asset(string name)
    {
        using var s = typeof(HtmlReport).Assembly.GetManifestResourceStream("report/" + name)
                      ?? throw new InvalidOperationException($"report asset {name} is not embedded");
        using var reader = new StreamReader(s);
        return reader.ReadToEnd();
    }

    private static void Header(HtmlWriter h, TeachingReport r, bool full)
    {
        h.Raw("<header>");
        h.Element("h1", null, full ? "What the linker and the loader do to the dyndbg tables" : "What the linker does with every input section");
        h.Start("p").Attr("class", "cmd").End().Element("code", null, r.Command).Close("p");
        if (!full)
        {
            h.Element("p", null, $"{r.Kind}.");
            h.Raw("</header>").Line();
            return;
        }

        h.Start("p").End().Text($"{r.Kind}. Verdict: ");
        h.Element("strong", r.Failed ? "bad" : "good", r.Failed ? "an invariant is broken (see the findings)" : "ok");
        h.Close("p");
        h.Raw("<nav><a href=\"#layout\">1. linker layout</a> ");
        if (r.Diff is not null)
        {
            h.Raw("<a href=\"#before-after\">1b. before/after</a> ");
        }

        h.Raw("<a href=\"#load\">2. module load</a> <a href=\"#diet\">3. diet indirection</a> <a href=\"#compression\">4. compression</a> <a href=\"#findings\">5. findings</a></nav>");
        h.Raw("</header>").Line();
    }

    // ---- panel 1 ------------------------------------------------------------------------------------------

    private static void LayoutPanel(HtmlWriter h, TeachingReport r, Used used)
    {
        var l = r.Layout;
        h.Start("section").Attr("id", "layout").End();
        h.Element("h2", null, "1. Linker layout");
        h.Element("p", "caption", l.Script is null
            ? "The sections of the linked image, in address order, each box as wide as its bytes. It was linked already, so there is no script to show."
            : "Each big box is an output section of ld -r, in address order, as wide as its bytes; the coloured boxes inside are the input sections, one colour per input file. " +
              "Point at a script line to see what it caught, or at a box to see which line (or which orphan rule) put it there. Click to keep the highlight.");
        h.Raw("<div class=\"controls\"><label><input type=\"checkbox\" id=\"log-scale\"> log scale (small sections get room)</label>");
        if (r.LldLayout is not null)
        {
            h.Raw(" <label><input type=\"checkbox\" id=\"show-lld\"> side by side with lld's rule</label>");
        }

        h.Raw("</div>").Line();
        h.Raw("<div class=\"legend\">");
        for (var i = 0; i < l.Files.Count; i++)
        {
            h.Start("span").Attr("class", "chip f" + (i % 12)).End().Close("span").Text(l.Files[i]).Raw(" ");
        }

        h.Raw("</div>").Line();
        h.Raw("<div class=\"layouts\">");
        Strip(h, l, 0, hidden: false, used);
        if (r.LldLayout is { } lld)
        {
            Strip(h, lld, 1, hidden: true, used);
        }

        h.Raw("</div>").Line();
        h.Raw("<div id=\"info\" class=\"info\">Point at a box or a script line.</div>").Line();
        if (l.Script is not null)
        {
            ScriptLines(h, r, used);
        }

        h.Close("section").Line();
    }

    /// <summary>One link's strip: output sections side by side, input sections inside (nested SVGs in byte units,
    /// so the scale toggle only moves the outer boxes), header callouts above, what was discarded below.</summary>
    private static void Strip(HtmlWriter h, LayoutView l, int k, bool hidden, Used used)
    {
        // Natural widths at both scales; runs of sections under a pixel at both become one box (the DOM stays
        // linear in what can be seen), but never a section holding a .gnu.linkonce header.
        var total = l.Sections.Sum(s => (double)s.Size);
        var totalLog = l.Sections.Sum(s => Math.Log2(s.Size + 2.0));
        double NatL(OutputSectionView s) => total <= 0 ? 0 : s.Size / total * StripWidth;
        double NatG(OutputSectionView s) => Math.Log2(s.Size + 2.0) / totalLog * StripWidth;
        var groups = new List<(int First, int Count)>();
        var run = -1;
        var (runL, runG) = (0.0, 0.0);
        for (var i = 0; i <= l.Sections.Count; i++)
        {
            var tiny = i < l.Sections.Count && NatL(l.Sections[i]) < 1 && NatG(l.Sections[i]) < 1 && !l.Sections[i].Inputs.Any(x => x.LinkOnce);
            if (tiny && run >= 0 && (runL >= 2 || runG >= 2))
            {
                // A run is cut every two pixels, so many small sections still show where their bytes are.
                groups.Add((run, i - run));
                run = -1;
            }

            if (tiny)
            {
                (runL, runG) = run < 0 ? (0.0, 0.0) : (runL, runG);
                run = run < 0 ? i : run;
                runL += NatL(l.Sections[i]);
                runG += NatG(l.Sections[i]);
                continue;
            }

            if (run >= 0)
            {
                groups.Add((run, i - run));
                run = -1;
            }

            if (i < l.Sections.Count)
            {
                groups.Add((i, 1));
            }
        }

        var n = groups.Count;
        var linear = groups.Select(g => Math.Max(MinBox, l.Sections.Skip(g.First).Take(g.Count).Sum(NatL))).ToArray();
        var log = groups.Select(g => Math.Max(MinBox, l.Sections.Skip(g.First).Take(g.Count).Sum(NatG))).ToArray();
        double[] lx = new double[n], gx = new double[n];
        for (var i = 1; i < n; i++)
        {
            lx[i] = lx[i - 1] + linear[i - 1] + Gap;
            gx[i] = gx[i - 1] + log[i - 1] + Gap;
        }

        // Room on the right for the last labels and callouts, which run rightwards from their box.
        var width = n == 0 ? StripWidth : Math.Max(lx[^1] + linear[^1], gx[^1] + log[^1]) + 120;
        var labelled = n <= MaxLabelled;
        var calloutCount = l.Sections.Sum(s => s.Inputs.Count(x => x.LinkOnce && x.Element >= 0));
        var boxTop = 12 + (Math.Min(calloutCount, CalloutRows) * 15);
        var (lShown, gShown) = (Shown(lx, labelled), Shown(gx, labelled));
        h.Start("div").Attr("class", "layout").Attr("data-rule", k == 0 ? "gnu" : "lld").Attr("data-k", k).Attr("hidden", hidden ? "" : null).End();
        h.Element("h3", null, l.Rule);
        h.Raw("<div class=\"strip\">");
        h.Start("svg").Attr("class", "strip-svg").Attr("width", width).Attr("height", boxTop + BoxHeight + (labelled ? 90 : 20))
            .Attr("xmlns", "http://www.w3.org/2000/svg").End();
        var callouts = 0;
        for (var i = 0; i < n; i++)
        {
            var (first, count) = groups[i];
            var s = l.Sections[first];
            var label = s.Name;
            if (count > 1)
            {
                var last = l.Sections[first + count - 1];
                label = $"{count} sections";
                h.Start("svg").Attr("class", "os agg").Attr("data-count", count).Attr("data-os", $"{s.Name} \u2026 {last.Name}")
                    .Attr("data-a", Hex(s.Address)).Attr("data-z", l.Sections.Skip(first).Take(count).Sum(x => (long)x.Size))
                    .Attr("data-n", l.Sections.Skip(first).Take(count).Sum(x => x.Inputs.Count))
                    .Attr("x", lx[i]).Attr("y", boxTop).Attr("width", linear[i]).Attr("height", BoxHeight)
                    .Attr("data-lx", lx[i]).Attr("data-lw", linear[i]).Attr("data-gx", gx[i]).Attr("data-gw", log[i])
                    .Attr("viewBox", "0 0 1 100").Attr("preserveAspectRatio", "none").End();
                h.Start("rect").Attr("class", "osb agg").Attr("x", 0).Attr("y", 0).Attr("width", 1).Attr("height", 100).EndEmpty();
                h.Close("svg");
            }
            else
            {
                var bytes = Math.Max(s.Size, 1UL);
                h.Start("svg").Attr("class", s.Alloc ? "os" : "os nonalloc").Attr("data-os", s.Name).Attr("data-i", s.Index)
                    .Attr("data-a", Hex(s.Address)).Attr("data-z", s.Size).Attr("data-n", s.Inputs.Count)
                    .Attr("x", lx[i]).Attr("y", boxTop).Attr("width", linear[i]).Attr("height", BoxHeight)
                    .Attr("data-lx", lx[i]).Attr("data-lw", linear[i]).Attr("data-gx", gx[i]).Attr("data-gw", log[i])
                    .Attr("viewBox", $"0 0 {bytes} 100").Attr("preserveAspectRatio", "none").End();
                h.Start("rect").Attr("class", "osb").Attr("x", 0).Attr("y", 0).Attr("width", bytes).Attr("height", 100).EndEmpty();
                Inputs(h, s, bytes / Math.Min(linear[i], log[i]), used);
                h.Close("svg");
                foreach (var hd in s.Inputs.Where(x => x.LinkOnce && x.Element >= 0))
                {
                    // Above the box, each on its own row (up to four), so neighbouring arrays' callouts do not overlap.
                    var frac = (double)hd.Offset / bytes;
                    var y = 14 + (callouts++ % CalloutRows * 15);
                    h.Start("g").Attr("class", hd.Element == 0 ? "hdr-call" : "hdr-call bad").Attr("data-os", s.Name).Attr("data-e", hd.Element)
                        .Attr("data-f", hd.File).Attr("data-frac", frac).End();
                    var x = lx[i] + (frac * linear[i]);
                    h.Start("line").Attr("x1", x).Attr("x2", x).Attr("y1", y + 4).Attr("y2", boxTop).EndEmpty();
                    h.Start("text").Attr("x", x).Attr("y", y).End()
                        .Text(hd.Element == 0 ? $"{s.Name}[0]: the header, from {Path.GetFileName(l.Files[hd.File])}" : $"{s.Name}[{hd.Element}]: another header, from {Path.GetFileName(l.Files[hd.File])}").Close("text");
                    h.Close("g");
                }
            }

            if (lShown[i] || gShown[i])
            {
                var ty = boxTop + BoxHeight + 12;
                h.Start("text").Attr("class", "osl").Attr("x", lx[i] + 2).Attr("y", ty).Attr("data-lx", lx[i] + 2).Attr("data-gx", gx[i] + 2)
                    .Attr("data-lv", lShown[i] ? "1" : "0").Attr("data-gv", gShown[i] ? "1" : "0").Attr("visibility", lShown[i] ? null : "hidden")
                    .Attr("transform", $"rotate(50 {(lx[i] + 2).ToString("0.#", CultureInfo.InvariantCulture)} {ty.ToString(CultureInfo.InvariantCulture)})")
                    .End().Text(label).Close("text");
            }
        }

        h.Raw("</svg></div>").Line();
        if (l.Discarded.Count > 0)
        {
            h.Element("h4", null, "Not in the output");
            h.Raw("<ul class=\"discarded\">");
            foreach (var d in l.Discarded.Take(MaxRows))
            {
                used.Mark(d);
                h.Start("li").Attr("class", "is d").Attr("data-l", Key(d)).Attr("data-w", d.Why).Attr("data-f", d.File).Attr("data-z", d.Size)
                    .Attr("data-e", d.LinkOnce ? "dup" : null).End();
                h.Start("span").Attr("class", "chip f" + (d.File % 12)).End().Close("span");
                h.Text($"{l.Files[d.File]}: {d.Name} ({Hex(d.Size)} bytes): {l.Reasons[d.Why]}").Close("li");
            }

            h.Raw("</ul>");
            if (l.Discarded.Count > MaxRows)
            {
                h.Element("p", "caption", $"and {l.Discarded.Count - MaxRows} more");
            }
        }

        if (l.HeaderNotes.Count > 0)
        {
            h.Element("h4", null, ".gnu.linkonce headers");
            h.Raw("<ul class=\"headers\">");
            foreach (var note in l.HeaderNotes)
            {
                h.Element("li", note.Contains("NOT element 0", StringComparison.Ordinal) || note.Contains("more than one header", StringComparison.Ordinal) ? "bad" : null, note);
            }

            h.Raw("</ul>");
        }

        h.Raw("</div>").Line();
    }

    /// <summary>Which boxes (by left edge) get a label at one scale: each at least <see cref="LabelPitch"/> right of
    /// the last; none past <see cref="MaxLabelled"/> sections unless the box is wide.</summary>
    private static bool[] Shown(double[] x, bool labelled)
    {
        var shown = new bool[x.Length];
        var last = double.NegativeInfinity;
        for (var i = 0; i < x.Length; i++)
        {
            var roomy = i + 1 == x.Length || x[i + 1] - x[i] >= 40;
            if (x[i] - last >= LabelPitch && (labelled || roomy))
            {
                shown[i] = true;
                last = x[i];
            }
        }

        return shown;
    }

    /// <summary>
    /// Widths in pixels for weights, in proportion within <see cref="StripWidth"/>, none below <see cref="MinBox"/>.
    /// </summary>
    private static double[] Widths(double[] weights)
    {
        var total = weights.Sum();
        return weights.Select(w => Math.Max(MinBox, total <= 0 ? MinBox : w / total * StripWidth)).ToArray();
    }

    /// <summary>The input boxes of one output section, in its byte units; runs of boxes under a pixel
    /// (<paramref name="bytesPerPixel"/> at the narrower of the two scales) become one box. Headers never merge.</summary>
    private static void Inputs(HtmlWriter h, OutputSectionView s, double bytesPerPixel, Used used)
    {
        var run = new List<InputSectionView>();
        void Flush()
        {
            if (run.Count == 1)
            {
                Box(h, run[0], used);
            }
            else if (run.Count > 1)
            {
                var end = run.Max(x => x.Offset + x.Size);
                h.Start("rect").Attr("class", "is agg").Attr("data-count", run.Count).Attr("data-o", run[0].Offset).Attr("data-z", end - run[0].Offset)
                    .Attr("x", run[0].Offset).Attr("y", 12).Attr("width", end - run[0].Offset).Attr("height", 76).EndEmpty();
            }

            run.Clear();
        }

        foreach (var i in s.Inputs)
        {
            if (i.Size < bytesPerPixel && !i.LinkOnce)
            {
                run.Add(i);
                continue;
            }

            Flush();
            Box(h, i, used);
        }

        Flush();
    }

    private static void Box(HtmlWriter h, InputSectionView i, Used used)
    {
        used.Mark(i);
        var cls = $"is f{i.File % 12}{(i.LinkOnce ? " hdr" : "")}{(i.LinkOnce && i.Element > 0 ? " bad" : "")}";
        h.Start("rect").Attr("class", cls).Attr("data-l", Key(i)).Attr("data-w", i.Why).Attr("data-f", i.File).Attr("data-s", i.Name)
            .Attr("data-o", i.Offset).Attr("data-z", i.Size).Attr("data-e", i.LinkOnce ? i.Element.ToString(CultureInfo.InvariantCulture) : null)
            .Attr("x", i.Offset).Attr("y", 12).Attr("width", i.Size).Attr("height", 76).EndEmpty();
    }

    /// <summary>The handle a box answers to: its script line, or its reason when no line placed it (orphan rules,
    /// linkonce duplicates).</summary>
    private static string Key(InputSectionView i) => i.Line ?? $"why:{i.Why}";

    private static void ScriptLines(HtmlWriter h, TeachingReport r, Used used)
    {
        var l = r.Layout;
        h.Raw("<div class=\"script-box\">");
        h.Element("h3", null, $"The script: {l.Script}");
        h.Element("p", "caption", "Every line is a handle. Lines with a count caught input sections; the count is for GNU ld's link.");
        // What each line (and rule) caught in GNU ld's link, counted from the model: boxes merged into runs count too.
        var caught = l.Sections.SelectMany(x => x.Inputs).Concat(l.Discarded).GroupBy(Key).ToDictionary(g => g.Key, g => g.Count());
        h.Raw("<pre class=\"script\">");
        foreach (var line in l.ScriptLines)
        {
            h.Start("span").Attr("class", "sl").Attr("data-l", line.Key).Attr("data-caught", caught.GetValueOrDefault(line.Key)).End();
            h.Element("span", "ln", line.Line.ToString(CultureInfo.InvariantCulture));
            h.Text(line.Text).Close("span"); // each line is a block: no newline between them
        }

        h.Raw("</pre>");
        h.Element("h3", null, "Rules that are not script lines");
        h.Element("p", "caption", "Orphans (input sections no line names) are placed by ld's orphan rules; linkonce copies are dropped by name.");
        h.Raw("<ul class=\"rules\">");
        foreach (var w in used.Rules.Take(MaxRows))
        {
            h.Start("li").Attr("class", "sl rule").Attr("data-l", $"why:{w}").Attr("data-caught", caught.GetValueOrDefault($"why:{w}")).End().Text(l.Reasons[w]).Close("li");
        }

        h.Raw("</ul>");
        if (used.Rules.Count > MaxRows)
        {
            h.Element("p", "caption", $"and {used.Rules.Count - MaxRows} more rules");
        }

        h.Raw("</div>").Line();
    }

    // ---- panel 1b -----------------------------------------------------------------------------------------

    /// <summary>The output sections of two links, as <c>scripts/bloat-o-meter</c> lists symbols: its totals, then
    /// one row per section that was added, removed, grown, shrunk or moved, with a bar for its delta (all bars to
    /// one scale) and where it was and is.</summary>
    private static void BeforeAfterPanel(HtmlWriter h, LayoutDiff d)
    {
        h.Start("section").Attr("id", "before-after").End();
        h.Element("h2", null, "1b. Before and after");
        h.Element("p", "caption",
            "The same question bloat-o-meter asks of two kernels, asked of two links: which output sections are new, gone, bigger, smaller, " +
            "or somewhere else (another address, or another place among the sections both links have). Green grew or is new, red shrank or is gone.");
        h.Start("p").Attr("class", "vs").End().Text("before: ").Element("code", null, d.BeforeName).Raw("<br>").Text("after: ").Element("code", null, d.AfterName).Close("p");
        h.Start("p").Attr("class", "bloat-summary").Attr("data-add", d.Added).Attr("data-remove", d.Removed).Attr("data-grow", d.Grown)
            .Attr("data-shrink", d.Shrunk).Attr("data-up", d.Up).Attr("data-down", d.Down).Attr("data-total", d.Up + d.Down).Attr("data-moved", d.MovedCount).End()
            .Element("code", null, d.Summary).Text(d.MovedCount > 0 ? $" — and {d.MovedCount} moved" : "").Close("p");
        AlignedStrips(h, d);
        if (d.Rows.Count == 0)
        {
            h.Element("p", "good", "No output section differs.");
        }
        else
        {
            const double barMax = 160;
            var max = Math.Max(1, d.Rows.Max(r => Math.Abs(r.Delta)));
            h.Raw("<table class=\"diff\"><thead><tr><th>output section</th><th>change</th><th>old</th><th>new</th><th>delta</th><th></th><th>address before</th><th>address after</th></tr></thead><tbody>");
            foreach (var row in d.Rows.Take(MaxRows))
            {
                h.Start("tr").Attr("class", "diff-row " + row.Change).Attr("data-os", row.Name).Attr("data-change", row.Change)
                    .Attr("data-delta", row.Delta).Attr("data-old", row.Before?.Size.ToString(CultureInfo.InvariantCulture)).Attr("data-new", row.After?.Size.ToString(CultureInfo.InvariantCulture)).End();
                h.Element("td", null, row.Name);
                h.Element("td", null, row.Change);
                h.Element("td", "num", row.Before is { } b ? b.Size.ToString(CultureInfo.InvariantCulture) : "-");
                h.Element("td", "num", row.After is { } a ? a.Size.ToString(CultureInfo.InvariantCulture) : "-");
                h.Element("td", "num", row.Delta.ToString("+0;-0;0", CultureInfo.InvariantCulture));
                // A bar from the middle: right for bytes gained, left for bytes lost.
                var w = Math.Abs(row.Delta) * barMax / max;
                h.Raw("<td>").Start("svg").Attr("class", "dbar").Attr("width", (2 * barMax) + 2).Attr("height", 14).Attr("xmlns", "http://www.w3.org/2000/svg").End();
                h.Start("line").Attr("x1", barMax + 1).Attr("x2", barMax + 1).Attr("y1", 0).Attr("y2", 14).EndEmpty();
                if (row.Delta != 0)
                {
                    h.Start("rect").Attr("class", row.Delta > 0 ? "up" : "down").Attr("x", row.Delta > 0 ? barMax + 1 : barMax + 1 - w).Attr("y", 2)
                        .Attr("width", Math.Max(1, w)).Attr("height", 10).EndEmpty();
                }

                h.Raw("</svg></td>");
                h.Element("td", row.Moved ? "moved" : null, row.Before is { } b2 ? Hex(b2.Address) : "-");
                h.Element("td", row.Moved ? "moved" : null, row.After is { } a2 ? Hex(a2.Address) : "-");
                h.Close("tr");
            }

            h.Raw("</tbody></table>");
            if (d.Rows.Count > MaxRows)
            {
                h.Element("p", "caption", $"and {d.Rows.Count - MaxRows} more sections");
            }
        }

        h.Element("p", "caption bloat-total", d.TotalLine);
        h.Close("section").Line();
    }

    /// <summary>Before above after, both to one byte scale, in address order (non-allocated last); a line joins a
    /// section's two boxes, so a move is a slanted line and growth a wider box. Left out past
    /// <see cref="MaxLabelled"/> sections (the table says it all).</summary>
    private static void AlignedStrips(HtmlWriter h, LayoutDiff d)
    {
        var (before, after) = (d.Before.Sections, d.After.Sections);
        if (before.Count + after.Count > MaxLabelled || before.Count + after.Count == 0)
        {
            return;
        }

        var change = new Dictionary<object, string>(ReferenceEqualityComparer.Instance);
        foreach (var r in d.Rows)
        {
            foreach (var s in new[] { r.Before, r.After })
            {
                if (s is not null)
                {
                    change[s] = r.Change;
                }
            }
        }

        var bytes = Math.Max(1.0, Math.Max(d.BeforeTotal, d.AfterTotal));
        var room = StripWidth - (Math.Max(before.Count, after.Count) * (MinBox + Gap));
        double[] Xs(IReadOnlyList<OutputSectionView> l, out double[] w)
        {
            var x = new double[l.Count];
            w = l.Select(s => MinBox + (s.Size / bytes * room)).ToArray();
            for (var i = 1; i < l.Count; i++)
            {
                x[i] = x[i - 1] + w[i - 1] + Gap;
            }

            return x;
        }

        var (bx, ax) = (Xs(before, out var bw), Xs(after, out var aw));
        const double x0 = 60, by = 10, ay = 110, bh = 40;
        h.Start("svg").Attr("class", "ba-svg").Attr("width", x0 + StripWidth + 40).Attr("height", ay + bh + 10).Attr("xmlns", "http://www.w3.org/2000/svg").End();
        h.Start("text").Attr("x", 4).Attr("y", by + 25).End().Text("before").Close("text");
        h.Start("text").Attr("x", 4).Attr("y", ay + 25).End().Text("after").Close("text");
        var afterIndex = after.Select((s, i) => (s.Name, i)).GroupBy(t => t.Name).ToDictionary(g => g.Key, g => g.First().i, StringComparer.Ordinal);
        for (var i = 0; i < before.Count; i++)
        {
            if (afterIndex.TryGetValue(before[i].Name, out var j))
            {
                h.Start("line").Attr("class", change.ContainsKey(after[j]) ? "ba-link changed" : "ba-link").Attr("data-os", before[i].Name)
                    .Attr("x1", x0 + bx[i] + (bw[i] / 2)).Attr("y1", by + bh).Attr("x2", x0 + ax[j] + (aw[j] / 2)).Attr("y2", ay).EndEmpty();
            }
        }

        void Boxes(IReadOnlyList<OutputSectionView> l, double[] x, double[] w, double y, string side)
        {
            for (var i = 0; i < l.Count; i++)
            {
                var c = change.GetValueOrDefault(l[i]);
                h.Start("rect").Attr("class", $"ba {side}{(c is null ? "" : " " + c)}").Attr("data-os", l[i].Name).Attr("data-z", l[i].Size)
                    .Attr("x", x0 + x[i]).Attr("y", y).Attr("width", w[i]).Attr("height", bh).End();
                h.Start("title").End().Text($"{l[i].Name}: {l[i].Size} bytes at {Hex(l[i].Address)}{(c is null ? "" : ", " + c)}").Close("title").Close("rect");
            }
        }

        Boxes(before, bx, bw, by, "before");
        Boxes(after, ax, aw, ay, "after");
        h.Raw("</svg>").Line();
    }

    // ---- panel 2 ------------------------------------------------------------------------------------------

    private static void LoadPanel(HtmlWriter h, LoadView? v, DietView? diet)
    {
        h.Start("section").Attr("id", "load").End();
        h.Element("h2", null, "2. Module load");
        if (v is null)
        {
            h.Element("p", "caption", "A vmlinux (linked, or linked here with a vmlinux script) is not loaded by the module loader: its sections sit at their link addresses (panel 1), and dynamic_debug_init walks its built-in tables.");
            h.Close("section").Line();
            return;
        }

        if (v.Layout is not { } m)
        {
            h.Element("p", "bad", v.Refusal ?? "not loaded");
            h.Close("section").Line();
            return;
        }

        // Objects linked without a .mod.o have no .modinfo name; ddebug_add_module's name (KBUILD_MODNAME) then says it.
        var name = m.ModuleName != "?" ? m.ModuleName : diet?.Load.Tables.FirstOrDefault()?.ModName ?? "(no .modinfo name)";
        h.Element("p", "caption",
            "The 6.1 module loader copies every allocated section into two allocations: core (kept) and init (freed once the module's init ran). " +
            "Within each, layout passes put code first, then read-only data, then data made read-only after init, then writable data; " +
            "each pass ends on a page boundary so it can get its own page permissions.");
        h.Element("p", null, v.CoreBase is { } cb
            ? $"Module {name}: core at {Hex(cb)}, {Hex(m.CoreSize)} bytes; init at {Hex(v.InitBase ?? 0)}, {Hex(m.InitSize)} bytes."
            : $"Module {name}: core {Hex(m.CoreSize)} bytes, init {Hex(m.InitSize)} bytes (offsets from each allocation; ‘load --sections --base’ gives addresses).");
        var scale = 1000.0 / Math.Max(1, Math.Max(m.CoreSize, m.InitSize));
        h.Start("svg").Attr("class", "load-svg").Attr("width", 1160).Attr("height", 260).Attr("xmlns", "http://www.w3.org/2000/svg").End();
        Region(h, m, ModuleRegion.Core, "core", 30, scale,
            [("text", "text", 0, m.CoreTextSize), ("ro", "ro", m.CoreTextSize, m.CoreRoSize), ("ro_after_init", "ro_after_init", m.CoreRoSize, m.CoreRoAfterInitSize),
             ("rw", "rw", m.CoreRoAfterInitSize, m.CoreSize)]);
        // layout_symtab appends the kept symbols and strings to init after its rw pass.
        Region(h, m, ModuleRegion.Init, "init", 150, scale,
            [("text", "text", 0, m.InitTextSize), ("ro", "ro", m.InitTextSize, m.InitRoSize), ("rw", "rw, then symtab and strtab", m.InitRoSize, m.InitSize)]);
        h.Raw("</svg>").Line();
        h.Raw("<table class=\"sections\"><thead><tr><th>[Nr]</th><th>name</th><th>region</th><th>pass</th><th>offset</th><th>size</th><th>align</th>");
        h.Raw(v.CoreBase is null ? "</tr></thead><tbody>" : "<th>address</th></tr></thead><tbody>");
        foreach (var s in m.Sections.Take(MaxRows))
        {
            h.Start("tr").Attr("class", "ls").Attr("data-ls", s.Name).End();
            foreach (var cell in new[] { s.Index.ToString(CultureInfo.InvariantCulture), s.Name, s.Region == ModuleRegion.Core ? "core" : "init", s.Pass, Hex(s.Offset), Hex(s.Size), s.Align.ToString(CultureInfo.InvariantCulture) })
            {
                h.Element("td", null, cell);
            }

            if (v.CoreBase is { } b)
            {
                h.Element("td", null, Hex(s.AddressFrom(b, v.InitBase ?? 0)));
            }

            h.Close("tr");
        }

        h.Raw("</tbody></table>");
        if (m.Sections.Count > MaxRows)
        {
            h.Element("p", "caption", $"and {m.Sections.Count - MaxRows} more sections");
        }

        h.Close("section").Line();
    }

    private static void Region(HtmlWriter h, ModuleLayout m, ModuleRegion region, string name, double y, double scale, (string Pass, string Label, ulong From, ulong To)[] passes)
    {
        const double x0 = 110, height = 50;
        h.Start("g").Attr("class", "region").Attr("data-region", name).End();
        h.Start("text").Attr("class", "rname").Attr("x", 4).Attr("y", y + 30).End().Text(name).Close("text");
        foreach (var (pass, label, from, to) in passes.Where(p => p.To > p.From))
        {
            h.Start("rect").Attr("class", "pass p-" + pass).Attr("data-pass", pass).Attr("data-from", Hex(from)).Attr("data-to", Hex(to))
                .Attr("x", x0 + (from * scale)).Attr("y", y).Attr("width", (to - from) * scale).Attr("height", height).EndEmpty();
            h.Start("text").Attr("class", "plabel").Attr("x", x0 + (from * scale) + 3).Attr("y", y - 4).End().Text(label).Close("text");
            // The pass ends on a page boundary (the loader's PAGE_ALIGN of text_size, ro_size, ...).
            h.Start("line").Attr("class", "page").Attr("x1", x0 + (to * scale)).Attr("x2", x0 + (to * scale)).Attr("y1", y - 2).Attr("y2", y + height + 16).EndEmpty();
            h.Start("text").Attr("class", "boundary").Attr("x", x0 + (to * scale)).Attr("y", y + height + 26).End().Text(Hex(to)).Close("text");
        }

        var placed = m.Sections.Where(s => s.Region == region).OrderBy(s => s.Offset).ToList();
        var bytesPerPixel = 1 / scale;
        var run = new List<LoadedSection>();
        void Flush()
        {
            if (run.Count > 1)
            {
                var end = run.Max(s => s.Offset + s.Size);
                h.Start("rect").Attr("class", "lsec agg").Attr("data-count", run.Count).Attr("x", x0 + (run[0].Offset * scale)).Attr("y", y + 10)
                    .Attr("width", Math.Max(1, (end - run[0].Offset) * scale)).Attr("height", height - 20).EndEmpty();
            }
            else if (run.Count == 1)
            {
                Section(run[0]);
            }

            run.Clear();
        }

        void Section(LoadedSection s) =>
            h.Start("rect").Attr("class", "lsec").Attr("data-ls", s.Name).Attr("data-pass", s.Pass).Attr("data-o", Hex(s.Offset)).Attr("data-z", Hex(s.Size))
                .Attr("x", x0 + (s.Offset * scale)).Attr("y", y + 10).Attr("width", Math.Max(1, s.Size * scale)).Attr("height", height - 20).EndEmpty();

        foreach (var s in placed)
        {
            if (s.Size < bytesPerPixel)
            {
                run.Add(s);
                continue;
            }

            Flush();
            Section(s);
        }

        Flush();
        h.Close("g");
    }

    // ---- panel 3 ------------------------------------------------------------------------------------------

    private static void DietPanel(HtmlWriter h, DietView? d)
    {
        h.Start("section").Attr("id", "diet").End();
        h.Element("h2", null, "3. The diet indirection");
        if (d is null)
        {
            h.Element("p", "caption", "Not a diet image (no __dyndbg_sites): a mainline table keeps module, file and function in every record. " +
                                      "‘dyndbg-elfsim diet FILE -o DIR --link’ makes the objects a diet-patched build would have produced; report those.");
            h.Close("section").Line();
            return;
        }

        var l = d.Load.Layout;
        var (index, siteIndex) = l.Variant == DietVariant.V6 ? ("_back", "_map") : ("_index", "_index");
        h.Element("p", "caption",
            $"A record no longer holds its module, file and function: they moved to a parallel array, {DietLayout.SiteSection}. " +
            $"From a record dp the kernel goes back {index} records to element 0, the header, whose site pointer is the start of the sites; " +
            $"then {siteIndex} sites forward is the record's own site{(l.Variant == DietVariant.V6 ? " (v6 packs one site per function run, so _map counts those)" : "")}. Green arrows hold; a red one breaks an invariant, named by its DDG ID.");
        h.Raw("<div class=\"controls\"><label>record N <input type=\"number\" id=\"rec\" min=\"0\"");
        h.Attr("max", Math.Max(0, d.Walks.Count - 1)).Attr("value", d.Walks.Count > 1 ? 1 : 0);
        h.Raw("></label> <button type=\"button\" id=\"rec-prev\">&#8592;</button><button type=\"button\" id=\"rec-next\">&#8594;</button>");
        h.Start("span").Attr("class", "caption").End().Text($" {d.Walks.Count} records can be walked{(d.Load.NumDescs > d.Walks.Count ? $" (of {d.Load.NumDescs})" : "")}").Close("span");
        h.Raw("</div>");
        h.Raw("<svg id=\"diet-svg\" width=\"1160\" height=\"390\" xmlns=\"http://www.w3.org/2000/svg\"></svg>");
        h.Raw("<p id=\"diet-result\"></p>").Line();
        h.Element("h4", null, $"The {(d.Load.BuiltIn ? "dynamic_debug_init slices" : "ddebug_add_module call")}: header now {LoadTextReport.HeaderNow(d.Load)}");
        h.Raw("<table class=\"tables\"><thead><tr><th>module</th><th>first</th><th>base</th><th>count</th>");
        h.Start("th").End().Text(LoadTextReport.IndexColumn(l)).Close("th");
        h.Raw("<th>tab</th><th>sites</th><th>header at add</th><th>table</th><th>verdict</th></tr></thead><tbody>");
        foreach (var t in d.Load.Tables.Take(MaxRows))
        {
            var verdict = LoadTextReport.Verdict(d.Findings, t.ModName, l);
            h.Start("tr").Attr("class", verdict.StartsWith("ok", StringComparison.Ordinal) ? "table-ok" : "bad").Attr("data-module", t.ModName).End();
            foreach (var cell in new[]
                     {
                         t.ModName, t.First.ToString(CultureInfo.InvariantCulture), t.Base.ToString(CultureInfo.InvariantCulture), t.Count.ToString(CultureInfo.InvariantCulture),
                         LoadTextReport.IndexRange(d.Load, t) ?? "-", Hex(t.DescriptorAddress), Hex(t.SiteAddress), t.HeaderNote, t.Created ? "created" : "skipped", verdict,
                     })
            {
                h.Element("td", null, cell);
            }

            h.Close("tr");
        }

        h.Raw("</tbody></table>");
        h.Element("h4", null, "The load, as the kernel logs it");
        h.Raw("<pre class=\"log\">");
        foreach (var line in d.Load.Log)
        {
            h.Text(line).Line();
        }

        h.Raw("</pre>");
        h.Close("section").Line();
    }

    // ---- panel 4 ------------------------------------------------------------------------------------------

    private static void CompressionPanel(HtmlWriter h, TeachingReport r)
    {
        var c = r.Compression;
        h.Start("section").Attr("id", "compression").End();
        h.Element("h2", null, "4. Compressing the site columns");
        if (c is null || c.Records == 0)
        {
            h.Element("p", "caption", "The study reads a mainline table (module, file and function pointers in every record): " +
                                      "‘dyndbg-elfsim compress’ on the mainline objects gives it. This image has none.");
            h.Close("section").Line();
            return;
        }

        h.Element("p", "caption",
            $"Mainline spends {c.RawSiteBytes} bytes on the three site pointers of {c.Records} records (raw). Each bar is a store that gives " +
            "the same pointers back exactly, drawn to the same scale; the shortest exact one is marked. " +
            (r.Layout.Script is null
                ? "Sizes only, as ‘dyndbg-elfsim compress’ finds them for this image; it also times them."
                : $"Sizes only, as ‘dyndbg-elfsim compress’ finds them for the image this page draws: the output of ‘{r.Command}’, " +
                  "which ‘dyndbg-elfsim link’ writes; it also times them. Compress of an input as given can differ where the link " +
                  "moves __dyndbg: the cols store codes pointers against the address of record 0."));
        const double x0 = 110, barMax = 760, rowHeight = 26;
        var max = Math.Max(1, c.Stores.Max(s => s.Bytes));
        h.Start("svg").Attr("class", "compress-svg").Attr("width", 1160).Attr("height", (c.Stores.Count * rowHeight) + 12)
            .Attr("xmlns", "http://www.w3.org/2000/svg").End();
        for (var i = 0; i < c.Stores.Count; i++)
        {
            var s = c.Stores[i];
            var y = 6 + (i * rowHeight);
            var w = Math.Max(1, s.Bytes * barMax / max);
            var cls = $"store{(s.Name == c.Best ? " best" : "")}{(s.Name == "raw" ? " raw" : "")}{(s.Exact ? "" : " bad")}";
            h.Start("g").Attr("class", cls).Attr("data-store", s.Name).Attr("data-bytes", s.Bytes).End();
            h.Start("text").Attr("x", 4).Attr("y", y + 15).End().Text(s.Name).Close("text");
            h.Start("rect").Attr("x", x0).Attr("y", y).Attr("width", w).Attr("height", rowHeight - 8).EndEmpty();
            h.Start("text").Attr("class", "bytes").Attr("x", x0 + w + 6).Attr("y", y + 15).End()
                .Text($"{s.Bytes} bytes, {s.Ratio:0.000} of raw{(s.Name == c.Best ? " (fewest)" : "")}{(s.Exact ? "" : $", NOT exact: {s.Mismatches} mismatches")}").Close("text");
            h.Close("g");
        }

        h.Raw("</svg>");
        if (c.Strings.Count > 0)
        {
            h.Raw("<table class=\"strings\"><thead><tr><th>column</th><th>strings</th><th>bytes</th><th>only site pointers use</th></tr></thead><tbody>");
            foreach (var u in c.Strings)
            {
                h.Raw("<tr>");
                foreach (var cell in new[] { u.Column, u.Strings.ToString(CultureInfo.InvariantCulture), u.Bytes.ToString(CultureInfo.InvariantCulture), $"{u.SiteOnlyStrings} strings, {u.SiteOnlyBytes} bytes" })
                {
                    h.Element("td", null, cell);
                }

                h.Raw("</tr>");
            }

            h.Raw("</tbody></table>");
        }

        h.Close("section").Line();
    }

    private static void Findings(HtmlWriter h, TeachingReport r)
    {
        h.Start("section").Attr("id", "findings").End();
        h.Element("h2", null, "5. Findings");
        if (r.Findings.Count == 0)
        {
            h.Element("p", "good", r.Diet is null ? "No diet invariants to check on this image." : "Every invariant holds.");
        }
        else
        {
            h.Raw("<table class=\"findings\"><thead><tr><th>ID</th><th>reference</th><th>where</th><th>element</th><th>offset</th><th>message</th></tr></thead><tbody>");
            foreach (var f in r.Findings)
            {
                h.Start("tr").Attr("class", f.Severity == CheckSeverity.Error ? "bad" : "hazard").Attr("data-id", f.Id).Attr("data-e", f.Element).End();
                foreach (var cell in new[] { f.Id, f.Reference, f.Where, f.Element >= 0 ? f.Element.ToString(CultureInfo.InvariantCulture) : "", Hex(f.FileOffset), f.Message })
                {
                    h.Element("td", null, cell);
                }

                h.Close("tr");
            }

            h.Raw("</tbody></table>");
        }

        if (r.Notes.Count > 0)
        {
            h.Raw("<ul class=\"notes\">");
            foreach (var n in r.Notes)
            {
                h.Element("li", null, n);
            }

            h.Raw("</ul>");
        }

        h.Close("section").Line();
    }

    // ---- data for the script --------------------------------------------------------------------------------

    /// <summary>What the script needs: file names and reasons (boxes carry indexes into them), and the diet walks,
    /// addresses as hex strings (JavaScript numbers hold 53 bits).</summary>
    private static string Data(TeachingReport r, Used used)
    {
        using var buffer = new MemoryStream();
        using (var j = new Utf8JsonWriter(buffer))
        {
            j.WriteStartObject();
            JsonArrays.WriteStrings(j, "files", r.Layout.Files);
            // Only the reasons some drawn box or list item names (a box merged into a run names none).
            j.WriteStartObject("reasons");
            foreach (var w in used.Reasons.Order())
            {
                j.WriteString(w.ToString(CultureInfo.InvariantCulture), r.Layout.Reasons[w]);
            }

            j.WriteEndObject();
            if (r.Diet is { } d)
            {
                WriteDiet(j, d);
            }

            j.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static void WriteDiet(Utf8JsonWriter j, DietView d)
    {
        var load = d.Load;
        var l = load.Layout;
        j.WriteStartObject("diet");
        j.WriteString("descSection", l.DescriptorSection);
        j.WriteString("siteSection", DietLayout.SiteSection);
        j.WriteString("desc", Hex(load.DescriptorAddress));
        j.WriteString("sites", Hex(load.SiteAddress));
        j.WriteNumber("recordSize", l.RecordSize);
        j.WriteNumber("siteSize", l.SiteSize);
        j.WriteNumber("numDescs", load.NumDescs);
        j.WriteNumber("numSites", load.NumSites);
        j.WriteString("index", l.Variant == DietVariant.V6 ? "_back" : "_index");
        j.WriteString("siteIndex", l.Variant == DietVariant.V6 ? "_map" : "_index");
        j.WriteBoolean("sitePointer", l.HasSitePointer);
        // The DDG IDs each arrow stands for (reference §8), so a red arrow names what it breaks.
        j.WriteStartObject("ids");
        j.WriteString("index", CheckIds.IndexValue);
        j.WriteString("up", CheckIds.HeaderUpN);
        j.WriteString("site", CheckIds.HeaderSite);
        j.WriteString("reach", l.HasSitePointer ? CheckIds.HeaderSiteIndex : CheckIds.SiteOf);
        j.WriteString("pointer", CheckIds.SitePointer);
        j.WriteEndObject();
        j.WriteStartArray("walks");
        foreach (var w in d.Walks)
        {
            j.WriteStartObject();
            j.WriteNumber("n", w.Element);
            j.WriteString("dp", Hex(w.Record));
            j.WriteNumber("index", w.Index);
            j.WriteNumber("siteIndex", w.SiteIndex);
            WriteElement(j, "dh", w.Header, load.DescriptorAddress, (ulong)l.RecordSize);
            WriteElement(j, "hsite", w.HeaderSite == 0 ? null : w.HeaderSite, load.SiteAddress, (ulong)l.SiteSize);
            WriteElement(j, "reached", w.SiteReached, load.SiteAddress, (ulong)l.SiteSize);
            WriteElement(j, "pointer", w.SitePointer is 0 ? null : w.SitePointer, load.SiteAddress, (ulong)l.SiteSize);
            j.WriteString("expected", Hex(w.SiteExpected));
            j.WriteBoolean("matches", w.SiteMatches);
            j.WriteString("notAHeader", w.NotAHeader);
            var ids = d.Findings.Where(f => f.Element == w.Element).Select(f => f.Id).Distinct().ToArray();
            JsonArrays.WriteStrings(j, "findings", ids);
            j.WriteEndObject();
        }

        j.WriteEndArray();
        j.WriteEndObject();
    }

    /// <summary>An address and the element of the array it falls on (null when it is not on one).</summary>
    private static void WriteElement(Utf8JsonWriter j, string key, ulong? address, ulong start, ulong size)
    {
        if (address is not { } a)
        {
            j.WriteNull(key);
            return;
        }

        j.WriteStartObject(key);
        j.WriteString("addr", Hex(a));
        if (a >= start && (a - start) % size == 0 && (a - start) / size < int.MaxValue)
        {
            j.WriteNumber("at", (a - start) / size);
        }
        else
        {
            j.WriteNull("at");
        }

        j.WriteEndObject();
    }

    /// <summary>The reasons the page names while it is written: the script's data holds only those, and the rule
    /// handles are the ones no script line stands for.</summary>
    private sealed class Used
    {
        public HashSet<int> Reasons { get; } = [];
        public SortedSet<int> Rules { get; } = [];

        public void Mark(InputSectionView i)
        {
            Reasons.Add(i.Why);
            if (i.Line is null)
            {
                Rules.Add(i.Why);
            }
        }
    }
}
