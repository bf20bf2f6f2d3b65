using System.Buffers.Binary;
using System.Text.Json;
using DynDbg.ElfSim.Cli;
using DynDbg.ElfSim.Linking;
using DynDbg.ElfSim.Tests.Cli;

namespace DynDbg.ElfSim.Tests.Browser;

/// <summary>
/// <c>report</c>'s page in a real headless Chromium (issue 17): the DOM after the page's scripts ran must have a box
/// for every output section, a handle for every script line (with what it caught), the header pair called out at
/// element 0 (and lld's second header not), and the diet arrows on the addresses <c>load --format json</c> gives.
/// </summary>
[TestFixture]
public class HtmlReportBrowserTests
{
    private static readonly string[] Sample = TestPaths.DietSample;

    private static string Report(string[] args, int expectedCode = ExitCodes.Ok)
    {
        var html = Path.Combine(TestContext.CurrentContext.WorkDirectory, $"report-{Guid.NewGuid():N}.html");
        var (code, _, err) = CliRunner.Run(["report", .. args, "-o", html]);
        code.Should().Be(expectedCode, err);
        return html;
    }

    private static string Hex(ulong v) => $"0x{v:x}";

    /// <summary>The output section's own box: from its &lt;svg class="os"&gt; to the end of it.</summary>
    private static string Box(string layout, string name) => HtmlDom.Slice(layout, $"<svg class=\"os\" data-os=\"{name}\"", "</svg>");

    [Test]
    public void Sample_after_the_scripts_ran_every_section_and_script_line_is_drawn_and_the_header_is_element_0()
    {
        Tools.Require("chromium");
        var dom = Chromium.DumpDom(Report(Sample));
        var gnu = HtmlDom.Slice(dom, "data-rule=\"gnu\"", "data-rule=\"lld\"");
        var lld = HtmlDom.Slice(dom, "data-rule=\"lld\"", "id=\"info\"");

        // Every output section of the link has a box, in the GNU view and in lld's.
        var sections = Linker.WithLink(Sample, "module.lds", new LinkOptions(), l => l.Sections.Select(s => s.Name).ToArray());
        HtmlDom.Elements(gnu, "svg", "os").Select(e => e["data-os"]).Should().BeEquivalentTo(sections);
        HtmlDom.Elements(lld, "svg", "os").Select(e => e["data-os"]).Should().BeEquivalentTo(sections);

        // Every script line is a handle, with what it caught (the diet block's two lines: 3 each).
        var lines = HtmlDom.Elements(dom, "span", "sl");
        lines.Should().HaveCount(File.ReadAllLines(Path.Combine(TestPaths.Root, "linker", "module.lds")).Length);
        lines.Select(l => l["data-l"]).Should().OnlyHaveUniqueItems().And.Contain("module.lds:24");
        lines.Should().OnlyContain(l => l.ContainsKey("data-caught"), "every line says what it caught");
        lines.Single(l => l["data-l"] == "module.lds:24")["data-caught"].Should().Be("3", "the kept header and both __dyndbg_sites inputs");
        lines.Single(l => l["data-l"] == "module.lds:25")["data-caught"].Should().Be("3", "the kept header and both __dyndbg inputs");
        lines.Single(l => l["data-l"] == "module.lds:8")["data-caught"].Should().Be("0");
        // Every box answers to a handle: a script line or a rule the page lists.
        var handles = HtmlDom.Elements(dom, "span", "sl").Concat(HtmlDom.Elements(dom, "li", "sl")).Select(h => h["data-l"]).ToHashSet();
        HtmlDom.Elements(dom, "rect", "is").Where(r => !r["class"].Contains("agg")).Should().OnlyContain(r => handles.Contains(r["data-l"]));

        // The header pair: alpha_main.o's .gnu.linkonce.dyndbg is element 0 of __dyndbg under GNU ld...
        var header = HtmlDom.Elements(Box(gnu, "__dyndbg"), "rect", "is hdr").Should().ContainSingle().Subject;
        header["data-s"].Should().Be(".gnu.linkonce.dyndbg");
        (header["data-e"], header["data-o"], header["data-f"]).Should().Be(("0", "0", "0"));
        HtmlDom.Elements(gnu, "g", "hdr-call").Select(g => (g["data-os"], g["data-e"])).Should().BeEquivalentTo(new[] { ("__dyndbg_sites", "0"), ("__dyndbg", "0") });
        HtmlDom.Elements(gnu, "li", "is d").Where(d => d.GetValueOrDefault("data-e") == "dup").Should().HaveCount(2, "alpha_util.o's copies are dropped");
        // ...while lld keeps alpha_util.o's copy as element 1: a second header, marked bad.
        var second = HtmlDom.Elements(Box(lld, "__dyndbg"), "rect", "is hdr bad").Should().ContainSingle().Subject;
        (second["data-e"], second["data-f"]).Should().Be(("1", "1"));
    }

    [Test]
    public void Sample_diet_arrows_of_record_1_land_on_the_addresses_load_gives()
    {
        Tools.Require("chromium");
        var (code, json, _) = CliRunner.Run(["load", .. Sample, "--format", "json"]);
        code.Should().Be(ExitCodes.Ok);
        using var doc = JsonDocument.Parse(json);
        var image = doc.RootElement.ValueKind == JsonValueKind.Array ? doc.RootElement[0] : doc.RootElement;
        var desc = image.GetProperty("descriptors").GetProperty("address").GetUInt64();
        var sites = image.GetProperty("sites").GetProperty("address").GetUInt64();

        var dom = Chromium.DumpDom(Report(Sample));
        var arrows = HtmlDom.Elements(dom, "path", "arrow").ToDictionary(a => a["data-step"]);
        arrows.Keys.Should().BeEquivalentTo("up", "site", "reach", "pointer");
        (arrows["up"]["data-from"], arrows["up"]["data-to"]).Should().Be((Hex(desc + 40), Hex(desc)), "__dyndbg[1] - _index (1) x 40 bytes is __dyndbg[0]");
        (arrows["site"]["data-from"], arrows["site"]["data-to"]).Should().Be((Hex(desc), Hex(sites)), "the header's site pointer is __dyndbg_sites[0]");
        (arrows["reach"]["data-from"], arrows["reach"]["data-to"]).Should().Be((Hex(sites), Hex(sites + 24)), "site[_index] is __dyndbg_sites[1]");
        arrows["pointer"]["data-to"].Should().Be(Hex(sites + 24), "SITE_CHK's dp->site agrees");
        arrows.Values.Should().OnlyContain(a => a["data-bad"] == "" && !a["class"].Contains("bad"));

        // The arrows end on cells the page drew for those elements.
        var cells = HtmlDom.Elements(dom, "g", "cell").ToDictionary(c => (c["data-array"], c["data-i"]), c => c["data-addr"]);
        cells[("__dyndbg", "1")].Should().Be(Hex(desc + 40));
        cells[("__dyndbg", "0")].Should().Be(arrows["up"]["data-to"]);
        cells[("__dyndbg_sites", "1")].Should().Be(arrows["reach"]["data-to"]);
        HtmlDom.Elements(dom, "p").Single(p => p.GetValueOrDefault("id") == "diet-result")["data-n"].Should().Be("1");
        HtmlDom.TextOf(dom, "diet-result").Should().Contain("the same site").And.NotContain("Broken");
    }

    [Test]
    public void Under_a_script_that_puts_the_header_last_the_up_arrow_is_red_with_its_DDG_ID()
    {
        Tools.Require("chromium");
        var script = Path.Combine(TestContext.CurrentContext.WorkDirectory, $"behind-{Guid.NewGuid():N}.lds");
        File.WriteAllText(script, """
            SECTIONS {
            __dyndbg_sites : ALIGN(8) { *(__dyndbg_sites) *(.gnu.linkonce.dyndbg_site) }
            __dyndbg : ALIGN(8) { *(__dyndbg) *(.gnu.linkonce.dyndbg) }
            }
            """);
        var dom = Chromium.DumpDom(Report([.. Sample, "-T", script], ExitCodes.CheckFailed));

        HtmlDom.Elements(dom, "body").Single()["data-failed"].Should().Be("true");
        HtmlDom.Elements(HtmlDom.Slice(dom, "data-rule=\"gnu\"", "data-rule=\"lld\""), "g", "hdr-call bad").Select(g => (g["data-os"], g["data-e"]))
            .Should().BeEquivalentTo(new[] { ("__dyndbg_sites", "11"), ("__dyndbg", "11") }, "7 + 4 records come first");
        var up = HtmlDom.Elements(dom, "path", "arrow").Single(a => a["data-step"] == "up");
        up["class"].Should().Contain("bad");
        up["data-bad"].Should().Be("DDG013");
        HtmlDom.TextOf(dom, "diet-result").Should().Contain("DDG013").And.Contain("header.lineno");
        HtmlDom.Elements(dom, "tr", "bad").Where(r => r.ContainsKey("data-module")).Select(r => r["data-module"]).Should().Equal("alpha");
        HtmlDom.Elements(dom, "tr", "bad").Where(r => r.ContainsKey("data-id")).Select(r => r["data-id"]).Should().Contain(["DDG003", "DDG013", "DDG019"]);
    }

    [Test]
    public void The_toggles_and_a_pinned_script_line_work_once_the_script_ran()
    {
        Tools.Require("chromium");
        var dom = Chromium.DumpDom(Report(Sample), "lld,log,pin=module.lds:25");

        HtmlDom.Elements(dom, "div", "layout").Select(l => (l["data-rule"], l.ContainsKey("hidden"))).Should().Equal(("gnu", false), ("lld", false));
        var boxes = HtmlDom.Elements(dom, "svg", "os");
        boxes.Should().NotBeEmpty().And.OnlyContain(b => b["x"] == b["data-gx"] && b["width"] == b["data-gw"], "log scale swapped every box");
        boxes.Select(b => b["data-lw"]).Should().NotEqual(boxes.Select(b => b["data-gw"]), "the two scales differ on the sample");

        // Line 25 pinned: it, and what it caught in both views, are marked; line 24's catch is not.
        HtmlDom.Elements(dom, "span", "sl pin").Select(l => l["data-l"]).Should().Equal("module.lds:25");
        var pinned = HtmlDom.Elements(dom, "rect", "pin");
        pinned.Should().OnlyContain(r => r["data-l"] == "module.lds:25")
            .And.HaveCount(3 + 4, "GNU: the kept header and two __dyndbg; lld: both headers and two __dyndbg");
        HtmlDom.Elements(dom, "div").Single(d => d.GetValueOrDefault("id") == "info");
        HtmlDom.TextOf(dom, "info").Should().Contain("module.lds:25").And.Contain("placed 3 input sections");
    }

    [Test]
    public void Before_after_panel_has_one_row_per_changed_section_and_bloat_o_meters_totals()
    {
        Tools.Require("chromium");
        var dom = Chromium.DumpDom(Report([.. Sample, "--vs-script", "module-6.1.lds"]));
        var panel = HtmlDom.Slice(dom, "id=\"before-after\"", "id=\"load\"");
        var model = Cli.LayoutDiffTests.Diff("module-6.1.lds", "module.lds");

        // One row per changed section, in bloat-o-meter's order, with the model's numbers.
        HtmlDom.Elements(panel, "tr", "diff-row").Select(r => (r["data-os"], r["data-change"], r["data-delta"])).Should().Equal(
            ("__dyndbg", "grown moved", "40"), ("__dyndbg_sites", "grown moved", "24"),
            (".gnu.linkonce.dyndbg_site", "removed", "-24"), (".gnu.linkonce.dyndbg", "removed", "-40"));
        model.Rows.Should().HaveCount(4);
        var summary = HtmlDom.Elements(panel, "p", "bloat-summary").Should().ContainSingle().Subject;
        (summary["data-add"], summary["data-remove"], summary["data-grow"], summary["data-shrink"], summary["data-up"], summary["data-down"], summary["data-total"])
            .Should().Be(("0", "2", "2", "0", "64", "-64", "0"));
        panel.Should().Contain(model.Summary).And.Contain(model.TotalLine);
        // Gains to the right of the middle line, losses to the left; the largest delta is the full half-width.
        HtmlDom.Elements(panel, "rect", "up").Should().HaveCount(2);
        HtmlDom.Elements(panel, "rect", "down").Select(r => r["width"]).Should().Equal("96", "160");
        // The two aligned strips: a box per output section of each link, the changed ones classed as in the table.
        var before = Linker.WithLink(Sample, "module-6.1.lds", new LinkOptions(), l => l.Sections.Select(s => s.Name).ToArray());
        var after = Linker.WithLink(Sample, "module.lds", new LinkOptions(), l => l.Sections.Select(s => s.Name).ToArray());
        HtmlDom.Elements(panel, "rect", "ba before").Select(r => r["data-os"]).Should().BeEquivalentTo(before);
        HtmlDom.Elements(panel, "rect", "ba after").Select(r => r["data-os"]).Should().BeEquivalentTo(after);
        HtmlDom.Elements(panel, "rect", "ba after moved").Select(r => r["data-os"]).Should().BeEquivalentTo(["__dyndbg", "__dyndbg_sites"]);
        HtmlDom.Elements(panel, "rect", "ba before removed").Select(r => r["data-os"]).Should().BeEquivalentTo([".gnu.linkonce.dyndbg", ".gnu.linkonce.dyndbg_site"]);
        // Without --vs-script there is no such panel.
        Chromium.DumpDom(Report(Sample)).Should().NotContain("id=\"before-after\"");
    }

    [Test]
    public void Explain_format_html_is_panel_1_alone_with_a_handle_per_script_line_from_the_explain_model()
    {
        Tools.Require("chromium");
        var html = Path.Combine(TestContext.CurrentContext.WorkDirectory, $"explain-{Guid.NewGuid():N}.html");
        var (code, stdout, err) = CliRunner.Run(["explain", "-T", "module.lds", .. Sample, "--format", "html", "-o", html]);
        code.Should().Be(ExitCodes.Ok, err);
        stdout.Should().BeEmpty();
        var dom = Chromium.DumpDom(html);

        // A handle per line of the script, each with what it caught in the model explain --format json writes.
        var (_, json, _) = CliRunner.Run(["explain", "-T", "module.lds", .. Sample, "--format", "json"]);
        using var doc = JsonDocument.Parse(json);
        var caught = doc.RootElement.GetProperty("outputSections").EnumerateArray().SelectMany(o => o.GetProperty("inputs").EnumerateArray())
            .Concat(doc.RootElement.GetProperty("discarded").EnumerateArray())
            .Select(i => i.GetProperty("line").GetString()).Where(l => l is not null).GroupBy(l => l!).ToDictionary(g => g.Key, g => g.Count());
        var lines = HtmlDom.Elements(dom, "span", "sl");
        lines.Select(l => l["data-l"]).Should().Equal(
            Enumerable.Range(1, File.ReadAllLines(Path.Combine(TestPaths.Root, "linker", "module.lds")).Length).Select(n => $"module.lds:{n}"));
        lines.Should().OnlyContain(l => l["data-caught"] == caught.GetValueOrDefault(l["data-l"]).ToString(System.Globalization.CultureInfo.InvariantCulture));
        // Every output section of the model has a box; the other panels are report's, not explain's.
        HtmlDom.Elements(dom, "svg", "os").Select(e => e["data-os"]).Should().Equal(
            doc.RootElement.GetProperty("outputSections").EnumerateArray().Select(o => o.GetProperty("name").GetString()));
        dom.Should().NotContain("id=\"load\"").And.NotContain("id=\"diet\"");
    }

    [Test]
    public void A_screenshot_of_the_sample_report_is_a_png_of_the_window_size()
    {
        var png = Path.Combine(TestContext.CurrentContext.WorkDirectory, $"report-{Guid.NewGuid():N}.png");
        Chromium.Screenshot(Report(Sample), png, 1280, 1400);
        var bytes = File.ReadAllBytes(png);
        bytes.Length.Should().BeGreaterThan(20_000, "a drawn page, not a blank one");
        bytes.AsSpan(0, 8).ToArray().Should().Equal(0x89, (byte)'P', (byte)'N', (byte)'G', 0x0d, 0x0a, 0x1a, 0x0a);
        // IHDR: width and height, big-endian, right after the signature and the chunk header.
        (BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16)), BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(20))).Should().Be((1280, 1400));
    }
}
