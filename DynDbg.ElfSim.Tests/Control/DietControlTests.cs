using System.Text;
using DynDbg.ElfSim.Cli;
using DynDbg.ElfSim.Control;
using DynDbg.ElfSim.DynDbg;
using DynDbg.ElfSim.Elf;
using DynDbg.ElfSim.Tests.Cli;

namespace DynDbg.ElfSim.Tests.Control;

/// <summary>
/// <c>control</c> on diet-plan images (reference §6.3, §6.10, §6.12–6.16; invariants 12, 22, 23, 27–29): tables
/// with the header, the v5 control format, site-less records, the <c>D</c> flag and the 5.13 static-key rule.
/// </summary>
[TestFixture]
public class DietControlTests
{
    private static string Diet(string variant, string file, string arch = "x86_64") =>
        TestPaths.Sample(arch, Path.Combine("diet", variant, file));

    private static DietImage Input(string path)
    {
        using var f = ElfFile.Open(path);
        return (DietImage)ImageReader.Read(f);
    }

    private static DyndbgControl Boot(string variant, params string[] files)
    {
        var inputs = files.Select(f => Input(Diet(variant, f))).ToArray();
        var control = new DyndbgControl(verbose: 1, diet: inputs[0].Layout.Variant);
        foreach (var i in inputs)
        {
            control.Load(i).Should().Be(0);
        }

        return control;
    }

    private static ControlWriteResult Write(DyndbgControl c, string text) => c.Write(Encoding.UTF8.GetBytes(text));

    private static string[] Lines(DyndbgControl c) => ControlFileWriter.Render(c).Split('\n', StringSplitOptions.RemoveEmptyEntries);

    [Test]
    public void V5AlphaKo_MatchesTheGoldenFile()
    {
        var (code, output, err) = CliRunner.Run("control", Diet("v5", "alpha.ko"));
        code.Should().Be(ExitCodes.Ok, err);
        output.Should().Be(File.ReadAllText(TestPaths.Golden(Path.Combine("control", "diet-v5-x86_64-alpha.ko.control"))));
    }

    [Test]
    public void V5AlphaKo_ShowsTheMainlineSitesOfTheSameSource_InV5Order()
    {
        // The mainline alpha.ko is built from the same sources: the same sites, but 6.1 prints each table from
        // its last record down with ESCAPE_SPACE, v5 (on 5.13) from record 0 up with octal escapes (§3.2).
        var mainline = ControlFileWriter.Render([Images.Sample("x86_64", "alpha.ko")]).Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Skip(1).Reverse()
            .Select(l => l.Replace("\\n", "\\012").Replace("\\t", "\\011").Replace("\"%s\"", "\\042%s\\042"));
        var diet = Lines(Boot("v5", "alpha.ko"));
        diet.Take(2).Should().Equal("#: filename:lineno [module]function flags format", "#| [module]:lineno flags format");
        diet.Skip(2).Should().Equal(mainline);
    }

    [Test]
    public void Module_TableHoldsAndCountsTheHeader_ButTheControlFileHidesIt()
    {
        foreach (var variant in new[] { "v5", "v5-nosite", "v6" })
        {
            var c = Boot(variant, "alpha.ko");
            c.Log.Lines.Select(l => l.Text).Should().Equal("dyndbg:  12 debug prints in module alpha");
            var t = c.Tables.Should().ContainSingle().Subject;
            t.Sites.Should().HaveCount(12);
            t.Sites[0].IsDietHeader.Should().BeTrue(variant);
            t.Sites[0].Record.LineNo.Should().Be(0);
            t.Sites.Skip(1).Should().OnlyContain(s => !s.IsDietHeader);
            Lines(c).Should().HaveCount(2 + 11, variant);

            // The header is a descriptor like any other for queries (§6.10): "module alpha" matches 12.
            Write(c, "module alpha +p").Matches.Should().Be(12);
        }
    }

    [Test]
    public void V5Vmlinux_MatchesTheGoldenFile()
    {
        var (code, output, err) = CliRunner.Run("control", Diet("v5", "vmlinux"), "--steps", "--sites", "-q", "module beta +p",
            "-q", "file beta_proto.c +D", "-q", "format trace +mfl", "-q", "func beta_trace +t", "-q", "+D");
        code.Should().Be(ExitCodes.Ok, err);
        output.Should().Be(File.ReadAllText(TestPaths.Golden(Path.Combine("control", "diet-v5-x86_64-vmlinux.steps"))));
    }

    [Test]
    public void V5Vmlinux_SlicesByModname_HeaderInTheFirstSlice_TablesLifo()
    {
        var c = Boot("v5", "vmlinux");

        // dynamic_debug_init adds alpha (header + 11), beta, epsilon in array order; list_add shows the last first.
        c.Tables.Select(t => (t.ModName, t.Sites.Count)).Should().Equal(("epsilon", 3), ("beta", 10), ("alpha", 12));
        c.Tables[2].Sites[0].IsDietHeader.Should().BeTrue();
        c.Tables.SelectMany(t => t.Sites).Count(s => s.IsDietHeader).Should().Be(1);
        c.Tables[0].Sites.Select(s => s.Record.Index).Should().Equal([22, 23, 24], "_index is global for built-ins (invariant 12)");
        var lines = Lines(c);
        lines[2].Should().Be("epsilon.c:14 [epsilon]epsilon_step =p \"step %d\\012\"");
        lines[^1].Should().StartWith("alpha_util.c:32 [alpha]alpha_dump =_ \"this is a deliberately long");
    }

    [Test]
    public void DFlag_DeletesTheSite_ThenFileAndFuncNoLongerMatch_ButFormatAndLineDo()
    {
        var c = Boot("v5", "alpha.ko");
        var r = Write(c, "func alpha_open +pD");
        r.Matches.Should().Be(2);
        r.Log.Select(l => l.Text).Should().Contain("dyndbg: dropping site info alpha_main.c.alpha_open.19");
        var lines = Lines(c);
        lines[2].Should().Be("[alpha]:19 =pD \"open %s id=%d flags=%#x\\012\"");
        lines[3].Should().Be("[alpha]:21 =pD \"open: read-only\\012\"");
        lines[4].Should().StartWith("alpha_main.c:29 [alpha]alpha_release =_ ");

        // ddebug_match_site (v5 06/28): no site, no file or func match (§6.3).
        Write(c, "func alpha_open +l").Matches.Should().Be(0);
        Write(c, "file alpha_main.c +l").Matches.Should().Be(5);
        Write(c, "format open +t").Matches.Should().Be(2);
        Write(c, "module alpha line 19 +f").Matches.Should().Be(1);
        Lines(c)[2].Should().Be("[alpha]:19 =pftD \"open %s id=%d flags=%#x\\012\"");

        // Deleting is one-way: -D clears the letter, not the loss.
        Write(c, "line 19 -D").Matches.Should().Be(1);
        Lines(c)[2].Should().Be("[alpha]:19 =pft \"open %s id=%d flags=%#x\\012\"");

        // Without a site the prefix loses modname and function (v5 14/28), keeps tid and line.
        var site = c.Tables[0].Sites[1];
        site.HasSite.Should().BeFalse();
        Write(c, "line 19 +l").Matches.Should().Be(1);
        c.Prefix(site, pid: 7).Should().Be("[7] 19: ");
    }

    [Test]
    public void DFlag_NeverDeletesTheHeader()
    {
        var c = Boot("v5", "alpha.ko");
        var r = Write(c, "+D");
        r.Matches.Should().Be(12);
        r.Log.Count(l => l.Text.StartsWith("dyndbg: dropping site info", StringComparison.Ordinal)).Should().Be(11);
        var header = c.Tables[0].Sites[0];
        header.HasSite.Should().BeTrue("v5 26/28 protects the header");
        header.Flags.Should().Be(ControlFlags.DeleteSite, "the flag is still set on it");
        var lines = Lines(c);
        lines.Should().HaveCount(2 + 11, "the header still prints nothing (v5 23/28)");
        lines.Skip(2).Should().OnlyContain(l => l.StartsWith("[alpha]:", StringComparison.Ordinal) && l.Contains(" =D \"", StringComparison.Ordinal));
    }

    [TestCase("v5-nosite")]
    [TestCase("v6")]
    public void WithoutSiteChk_DIsAcceptedAndShown_ButDeletesNothing(string variant)
    {
        // opt_array has D unconditionally (v5 12/28); 24/28 compiles the deletion under SITE_CHK only.
        var c = Boot(variant, "alpha.ko");
        var r = Write(c, "func alpha_open +D");
        r.Rc.Should().BeGreaterThan(0);
        r.Matches.Should().Be(2);
        r.Log.Should().NotContain(l => l.Text.Contains("dropping", StringComparison.Ordinal));
        Lines(c)[2].Should().Be("alpha_main.c:19 [alpha]alpha_open =D \"open %s id=%d flags=%#x\\012\"");
        Write(c, "func alpha_open +p").Matches.Should().Be(2);
        c.Tables[0].Sites.Should().OnlyContain(s => s.HasSite);
    }

    [Test]
    public void UnknownLetter_IsStillRejected()
    {
        var c = Boot("v5", "alpha.ko");
        var r = Write(c, "+s");
        r.Rc.Should().Be(-Errno.EINVAL);
        r.Log.Select(l => l.Text).Should().Contain("dyndbg: unknown flag 's'");
    }

    [Test]
    public void StaticKey_Follows513Rule_ModifierPrintBitDecides()
    {
        // 5.13 / v5 ddebug_alter_site: a printing site whose change does not itself set p is disabled (§3.3).
        var c = Boot("v5", "alpha.ko");
        Write(c, "func alpha_init +p");
        var site = c.Tables[0].Sites.Single(s => s.Record.Function == "alpha_init");
        site.Key!.Value.Enabled.Should().Be(1);
        Write(c, "func alpha_init +m");
        site.Flags.Should().Be(ControlFlags.Print | ControlFlags.InclModname);
        site.Key!.Value.Enabled.Should().Be(0, "the 5.13 bug: +m turned the key off");
        site.Prints.Should().BeFalse();

        // 6.1 on the mainline build of the same module keeps it on.
        var mainline = new DyndbgControl();
        mainline.Load(Images.Sample("x86_64", "alpha.ko"));
        mainline.Write("func alpha_init +p"u8);
        mainline.Write("func alpha_init +m"u8);
        mainline.Tables[0].Sites.Single(s => s.Record.Function == "alpha_init").Prints.Should().BeTrue();
    }

    [Test]
    public void MixedDietAndMainlineInputs_AreAUsageError()
    {
        var (code, _, err) = CliRunner.Run("control", Diet("v5", "alpha.ko"), TestPaths.Sample("x86_64", "beta.ko"));
        code.Should().Be(ExitCodes.BadInput);
        err.Should().Contain("not a diet-plan image");
        (code, _, err) = CliRunner.Run("control", TestPaths.Sample("x86_64", "beta.ko"), "--diet", "v5");
        code.Should().Be(ExitCodes.BadInput);
        err.Should().Contain("--diet v5");
    }
}
