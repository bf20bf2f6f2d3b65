using System.Text.Json;
using DynDbg.ElfSim.Cli;
using DynDbg.ElfSim.Linking;
using DynDbg.ElfSim.Tests.Cli;
using DynDbg.ElfSim.Tests.Browser;

namespace DynDbg.ElfSim.Tests.Real;

/// <summary><c>report</c> of a real Debian module of every architecture in headless Chromium (issue 17): the relink
/// under module.lds has a box per output section and a handle per script line, and the load panel lists what
/// <c>load --sections</c> places. bnep.ko, or bonding.ko on s390x, which builds no Bluetooth.</summary>
[TestFixture]
[Category("Real")]
public sealed class RealReportTests
{
    [TestCaseSource(typeof(RealInputs), nameof(RealInputs.AllArches))]
    public void Module_relinked_and_loaded_is_drawn_whole(string archName)
    {
        Tools.Require("chromium");
        var arch = RealInputs.Arch(archName);
        var ko = archName == "s390x"
            ? Path.Combine(arch.Modules, "kernel", "drivers", "net", "bonding", "bonding.ko")
            : Path.Combine(arch.Modules, "kernel", "net", "bluetooth", "bnep", "bnep.ko");
        var html = Path.Combine(TestContext.CurrentContext.WorkDirectory, $"{archName}-{Guid.NewGuid():N}.html");
        var (code, _, err) = CliRunner.Run("report", ko, "-o", html);
        code.Should().Be(ExitCodes.Ok, err);
        var dom = Chromium.DumpDom(html);

        var sections = Linker.WithLink([ko], "module.lds", new LinkOptions(), l => l.Sections.Select(s => s.Name).ToArray());
        sections.Should().Contain("__dyndbg");
        // The GNU view; .gnu.linkonce.this_module also gets lld's view beside it.
        HtmlDom.Elements(HtmlDom.Slice(dom, "data-rule=\"gnu\"", "data-rule=\"lld\""), "svg", "os").Select(e => e["data-os"]).Should().BeEquivalentTo(sections);
        HtmlDom.Elements(dom, "span", "sl").Should().HaveCount(File.ReadAllLines(Path.Combine(TestPaths.Root, "linker", "module.lds")).Length)
            .And.OnlyContain(l => l.ContainsKey("data-caught"));
        HtmlDom.Elements(dom, "g", "hdr-call").Should().BeEmpty("a mainline module has no .gnu.linkonce.dyndbg header");

        var (rc, json, _) = CliRunner.Run("load", "--sections", "--format", "json", ko);
        rc.Should().Be(ExitCodes.Ok);
        using var doc = JsonDocument.Parse(json);
        var placed = doc.RootElement.GetProperty("sections").EnumerateArray().Select(s => s.GetProperty("name").GetString()!).ToArray();
        HtmlDom.Elements(dom, "tr", "ls").Select(r => r["data-ls"]).Should().BeEquivalentTo(placed, "the relink loads as the module itself does");
        HtmlDom.Elements(dom, "rect", "pass").Select(p => p["data-pass"]).Should().Contain(["text", "ro", "ro_after_init", "rw"]);

        // The compression bars are compress's stores, byte for byte, of the image the page draws and loads: the
        // relink, not the .ko as shipped. The relink moves __dyndbg (module.lds places it by rule, where 6.1's script
        // left it an orphan after .data), and the cols store codes its checkpoints against that address (record 0),
        // so compress of the shipped .ko may differ there (armhf and mips64el bnep.ko: one byte).
        var relinked = Path.ChangeExtension(html, ".ko");
        (rc, _, err) = CliRunner.Run("link", "-T", "module.lds", "-o", relinked, ko);
        rc.Should().Be(ExitCodes.Ok, err);
        (rc, json, _) = CliRunner.Run("compress", "--format", "json", "--budget-ms", "0", relinked);
        rc.Should().Be(ExitCodes.Ok);
        using var study = JsonDocument.Parse(json);
        var stores = (study.RootElement.ValueKind == JsonValueKind.Array ? study.RootElement[0] : study.RootElement).GetProperty("stores").EnumerateArray()
            .Select(s => (s.GetProperty("name").GetString()!, s.GetProperty("bytes").GetInt64().ToString(System.Globalization.CultureInfo.InvariantCulture))).ToArray();
        HtmlDom.Elements(dom, "g", "store").Select(g => (g["data-store"], g["data-bytes"])).Should().Equal(stores);

        // What moves is only where the table sits: the relink's records are the shipped module's, call site by call site.
        Records(relinked).Should().Equal(Records(ko), "the relink keeps every record the kernel would read");
    }

    /// <summary>Each record as <c>load --format json</c> decodes it: its strings and line, not where it sits.</summary>
    private static string[] Records(string file)
    {
        var (rc, json, err) = CliRunner.Run("load", "--format", "json", file);
        rc.Should().Be(ExitCodes.Ok, err);
        using var doc = JsonDocument.Parse(json);
        return doc.RootElement.GetProperty("records").EnumerateArray()
            .Select(r => string.Join('|', new[] { "module", "function", "file", "format", "line", "classId", "flags" }.Select(k => r.GetProperty(k).ToString())))
            .ToArray();
    }
}
