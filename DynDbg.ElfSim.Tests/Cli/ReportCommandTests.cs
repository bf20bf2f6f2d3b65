using System.Text.RegularExpressions;
using DynDbg.ElfSim.Cli;
using DynDbg.ElfSim.Elf;
using DynDbg.ElfSim.Linking;

namespace DynDbg.ElfSim.Tests.Cli;

/// <summary><c>report</c>'s contract without a browser (issue 17): one self-contained file written whole or not at
/// all, exit 0/1/2 as <c>load</c>, one-line errors; linked images shown as they are. The page itself is checked in
/// Chromium (Reports/HtmlReportBrowserTests).</summary>
[TestFixture]
public class ReportCommandTests
{
    private static string Work(string name)
    {
        var dir = Path.Combine(TestContext.CurrentContext.WorkDirectory, "report-cli", name);
        Directory.CreateDirectory(dir);
        return dir;
    }

    private static string[] Diet => TestPaths.DietSample;

    [Test]
    public void DietSample_IsOneSelfContainedPage_WithTheWalksForTheScript()
    {
        var output = Path.Combine(Work("ok"), "alpha.html");
        var (code, stdout, stderr) = CliRunner.Run(["report", .. Diet, "-o", output]);
        code.Should().Be(ExitCodes.Ok, stderr);
        stdout.Should().BeEmpty();
        var html = File.ReadAllText(output);
        html.Should().StartWith("<!DOCTYPE html>").And.EndWith("</html>\n");
        // Nothing is fetched: the only URL is the SVG namespace, which is a name, not a request.
        Regex.Matches(html, "(?:https?:)?//[a-z0-9.-]+\\.[a-z]{2,}[^\"'\\s]*").Select(m => m.Value).Distinct()
            .Should().BeEquivalentTo("http://www.w3.org/2000/svg");
        html.Should().NotContain("<link").And.NotContain(" src=").And.NotContain("@import").And.NotContain("@font-face");
        html.Should().Contain("\"walks\":[").And.Contain("<svg class=\"os\" data-os=\"__dyndbg\"");
        Directory.GetFiles(Path.GetDirectoryName(output)!).Should().Equal(output);
    }

    [Test]
    public void MainlineObjects_HaveNoDietPanel_AndALinkedDietVmlinuxNoModuleLoad()
    {
        var dir = Work("kinds");
        var mainline = Path.Combine(dir, "mainline.html");
        var (code, _, err) = CliRunner.Run("report", TestPaths.Sample("x86_64", "alpha_main.o"), TestPaths.Sample("x86_64", "alpha_util.o"), "-o", mainline);
        code.Should().Be(ExitCodes.Ok, err);
        File.ReadAllText(mainline).Should().Contain("Not a diet image").And.NotContain("\"walks\"").And.Contain("class=\"sections\"");

        var vmlinux = Path.Combine(dir, "vmlinux.html");
        (code, _, err) = CliRunner.Run("report", TestPaths.Sample("x86_64", "diet/v5/vmlinux"), "-o", vmlinux);
        code.Should().Be(ExitCodes.Ok, err);
        File.ReadAllText(vmlinux).Should().Contain("is not loaded by the module loader").And.Contain("\"walks\":[").And.NotContain("class=\"sl\"");
    }

    [Test]
    public void CompressionBars_AreCompressOfTheLinkOutput_TheImageThePageDraws()
    {
        var dir = Work("compress");
        string[] inputs = [TestPaths.Sample("x86_64", "alpha_main.o"), TestPaths.Sample("x86_64", "alpha_util.o")];
        var page = Path.Combine(dir, "mainline.html");
        var (code, _, err) = CliRunner.Run(["report", .. inputs, "-o", page]);
        code.Should().Be(ExitCodes.Ok, err);
        var linked = Path.Combine(dir, "mainline.o");
        (code, _, err) = CliRunner.Run(["link", "-T", "module.lds", "-o", linked, .. inputs]);
        code.Should().Be(ExitCodes.Ok, err);
        (code, var csv, err) = CliRunner.Run("compress", "--format", "csv", "--budget-ms", "0", linked);
        code.Should().Be(ExitCodes.Ok, err);
        // file,records,pointerSize,rawSiteBytes,store,bytes,...
        var stores = csv.TrimEnd('\n').Split('\n').Skip(1).Select(l => l.Split(',')).Select(f => (f[4], f[5])).ToArray();
        stores.Should().NotBeEmpty();
        var html = File.ReadAllText(page);
        Browser.HtmlDom.Elements(html, "g", "store").Select(g => (g["data-store"], g["data-bytes"])).Should().Equal(stores);
        html.Should().Contain($"the output of ‘ld -r -T module.lds {string.Join(' ', inputs)}’");
    }

    [Test]
    public void OutputThatIsAnInput_IsExit2_AndTheInputIsUntouched()
    {
        var dir = Work("same");
        var input = Path.Combine(dir, "alpha_main.o");
        File.Copy(Diet[0], input, overwrite: true);
        var before = File.ReadAllBytes(input);
        var (code, _, err) = CliRunner.Run("report", input, Diet[1], "-o", input);
        code.Should().Be(ExitCodes.BadInput);
        err.Should().Be($"dyndbg-elfsim: error USG001: input file '{input}' is the same as output file '{input}'; nothing was written\n");
        File.ReadAllBytes(input).Should().Equal(before);
    }

    [Test]
    public void MalformedInput_IsExit2_OneLineWithFileAndOffset_AndNothingWritten()
    {
        var dir = Work("bad");
        var broken = Path.Combine(dir, "short.o");
        File.WriteAllBytes(broken, File.ReadAllBytes(Diet[0])[..40]);
        var output = Path.Combine(dir, "out.html");
        var (code, _, err) = CliRunner.Run("report", broken, "-o", output);
        code.Should().Be(ExitCodes.BadInput);
        err.Should().StartWith($"{broken}: error ELF").And.Contain("offset").And.EndWith("\n");
        err.TrimEnd('\n').Should().NotContain("\n");
        File.Exists(output).Should().BeFalse();
    }

    [Test]
    public void ALinkedImageWithAScript_IsExit2_NamingTheFile()
    {
        var vmlinux = TestPaths.Sample("x86_64", "diet/v5/vmlinux");
        var output = Path.Combine(Work("linked"), "out.html");
        var (code, _, err) = CliRunner.Run("report", vmlinux, "-T", "module.lds", "-o", output);
        code.Should().Be(ExitCodes.BadInput);
        err.Should().StartWith($"{vmlinux}: error USG001").And.Contain("already linked");
        File.Exists(output).Should().BeFalse();
        // Nor a before/after: a linked image is not linked again under a second script.
        (code, _, err) = CliRunner.Run("report", vmlinux, "--vs-script", "module-6.1.lds", "-o", output);
        code.Should().Be(ExitCodes.BadInput);
        err.Should().StartWith($"{vmlinux}: error USG001").And.Contain("--vs-script");
        File.Exists(output).Should().BeFalse();
    }

    [Test]
    public void BeforeAfter_WithAMissingVsInput_IsExit2_AndNothingWritten()
    {
        var output = Path.Combine(Work("vs"), "out.html");
        var missing = Path.Combine(Work("vs"), "nosuch.o");
        var (code, _, err) = CliRunner.Run(["report", .. Diet, "-o", output, "--vs", missing]);
        code.Should().Be(ExitCodes.BadInput);
        err.Should().StartWith(missing).And.EndWith("\n");
        File.Exists(output).Should().BeFalse();
    }

    [Test]
    public void BeforeAfter_TheVsInputsMayBeTheOutput_NoMoreThanTheInputs()
    {
        var output = Path.Combine(Work("vs-same"), "alpha_main.o");
        File.Copy(Diet[0], output, overwrite: true);
        var (code, _, err) = CliRunner.Run(["report", .. Diet, "-o", output, "--vs", output]);
        code.Should().Be(ExitCodes.BadInput);
        err.Should().Contain("is the same as output file");
    }

    [Test]
    public void AnOutputDirectoryThatDoesNotExist_IsExit2_CannotWrite()
    {
        var output = Path.Combine(Work("nodir"), "missing", "out.html");
        var (code, _, err) = CliRunner.Run(["report", .. Diet, "-o", output]);
        code.Should().Be(ExitCodes.BadInput);
        err.Should().Contain("USG002").And.Contain("cannot write");
    }

    /// <summary>2000 four-byte code sections beside a megabyte of data are each under a pixel at both scales: they are
    /// drawn as runs, and every output section is in exactly one box.</summary>
    [Test]
    public void SectionsUnderAPixel_AreDrawnAsRuns_EachSectionInOneBox()
    {
        var dir = Work("many");
        var input = Path.Combine(dir, "many.o");
        var w = new ElfWriter(new ElfIdentity(true, false, ElfMachine.X86_64));
        for (var i = 0; i < 2000; i++)
        {
            w.AddSection($".text.f{i}", ElfConstants.ShtProgbits, ElfConstants.ShfAlloc | ElfConstants.ShfExecInstr, ElfContent.Of([0x31, 0xc0, 0xc3, 0x90]));
        }

        w.AddSection(".data", ElfConstants.ShtProgbits, ElfConstants.ShfAlloc | ElfConstants.ShfWrite, ElfContent.Of(new byte[1 << 20]));
        File.WriteAllBytes(input, w.ToArray());
        var output = Path.Combine(dir, "many.html");
        var (code, _, err) = CliRunner.Run("report", input, "-o", output);
        code.Should().Be(ExitCodes.Ok, err);

        var html = File.ReadAllText(output);
        var sections = Linker.WithLink([input], "module.lds", new LinkOptions(), l => l.Sections.Count);
        var single = Regex.Matches(html, "<svg class=\"os(?: nonalloc)?\" ").Count;
        var runs = Regex.Matches(html, "<svg class=\"os agg\" data-count=\"(\\d+)\"").Select(m => int.Parse(m.Groups[1].Value)).ToArray();
        runs.Should().NotBeEmpty();
        (single + runs.Sum()).Should().Be(sections);
        (single + runs.Length).Should().BeLessThan(sections / 3, "a box per two pixels (here about four sections), not one per section");
        html.Length.Should().BeLessThan(400_000, "lists and tables stop at 500 rows");
    }
}
