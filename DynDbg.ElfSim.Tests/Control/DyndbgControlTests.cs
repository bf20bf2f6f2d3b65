using System.Text;
using DynDbg.ElfSim.Control;
using DynDbg.ElfSim.DynDbg;

namespace DynDbg.ElfSim.Tests.Control;

/// <summary>
/// The control-file engine on the samples: what a write returns and logs, which sites a query reaches, and what
/// it does to flags and static keys (reference §3.2–3.3; invariants 25–31). The KernelSource tests check the same
/// against the kernel's own code; these pin the facts on any machine.
/// </summary>
[TestFixture]
public class DyndbgControlTests
{
    /// <summary>The built-in sample: alpha (11 sites), beta (10), delta (5, DEBUG, one DELTA_IO site).</summary>
    private static DyndbgControl Boot(int verbose = 0, FlagLetters? letters = null, string trimPrefix = "")
    {
        var c = new DyndbgControl(letters, verbose, trimPrefix);
        c.Load(Images.Sample("x86_64", "vmlinux.o")).Should().Be(0);
        return c;
    }

    private static ControlWriteResult Write(DyndbgControl c, string text) => c.Write(Encoding.UTF8.GetBytes(text));

    private static ControlSite Site(DyndbgControl c, string function, uint line) =>
        c.Tables.SelectMany(t => t.Sites).Single(s => s.Record.Function == function && s.Record.LineNo == line);

    private static string[] Errors(ControlWriteResult r) => r.Log.Select(l => l.Text).ToArray();

    [Test]
    public void Success_ReturnsTheLength_AndCountsMatches()
    {
        var c = Boot();
        var r = Write(c, "module alpha +p");
        r.Rc.Should().Be(15);
        r.Queries.Should().ContainSingle().Which.Should().Be(new QueryResult(0, "module alpha +p", 11));
        r.Log.Should().BeEmpty("verbose 0 logs nothing on success");
        c.Tables.Single(t => t.ModName == "alpha").Sites.Should().OnlyContain(s => s.Flags == ControlFlags.Print);
    }

    [Test]
    public void ZeroMatches_IsSuccess()
    {
        var c = Boot(verbose: 1);
        var r = Write(c, "module nosuch +p");
        r.Rc.Should().Be(16);
        r.Queries.Single().Rc.Should().Be(0);
        Errors(r).Should().Equal("dyndbg: query 0: \"module nosuch +p\" mod:*", "dyndbg: no matches for query");
    }

    [TestCase("+x", "dyndbg: unknown flag 'x'", "dyndbg: flags parse failed")]
    [TestCase("+s", "dyndbg: unknown flag 's'", "dyndbg: flags parse failed")]
    [TestCase("p", "dyndbg: bad flag-op p, at start of p", "dyndbg: flags parse failed")]
    [TestCase("module alpha", "dyndbg: bad flag-op a, at start of alpha", "dyndbg: flags parse failed")]
    [TestCase("\"\"", "dyndbg: bad flag-op \\x00, at start of ", "dyndbg: flags parse failed")]
    [TestCase("alpha +p", "dyndbg: expecting pairs of match-spec <value>", "dyndbg: query parse failed")]
    [TestCase("fnuc alpha +p", "dyndbg: unknown keyword \"fnuc\"", "dyndbg: query parse failed")]
    [TestCase("func a func b +p", "dyndbg: match-spec:func val:a overridden by b", "dyndbg: query parse failed")]
    [TestCase("file a:f func b +p", "dyndbg: match-spec:func val:f overridden by b", "dyndbg: query parse failed")]
    [TestCase("file a file b +p", "dyndbg: match-spec:file val:a overridden by b", "dyndbg: query parse failed")]
    [TestCase("line 1 line 2 +p", "dyndbg: match-spec: line used 2x", "dyndbg: query parse failed")]
    [TestCase("file a.c:3 line 2 +p", "dyndbg: match-spec: line used 2x", "dyndbg: query parse failed")]
    [TestCase("line x +p", "dyndbg: bad line-number: x", "dyndbg: query parse failed")]
    [TestCase("line 4294967296 +p", "dyndbg: bad line-number: 4294967296", "dyndbg: query parse failed")]
    [TestCase("line 20-10 +p", "dyndbg: last-line:10 < 1st-line:20", "dyndbg: query parse failed")]
    [TestCase("line 4294967295-5 +p", "dyndbg: last-line:5 < 1st-line:-1", "dyndbg: query parse failed")]
    [TestCase("func \"alpha +p", "dyndbg: unclosed quote: alpha +p", "dyndbg: tokenize failed")]
    [TestCase("a b c d e f g h i j", "dyndbg: too many words, legal max <=9", "dyndbg: tokenize failed")]
    public void Errors_LogTheKernelsMessages_AndReturnEinval(string query, string message, string summary)
    {
        var c = Boot();
        var r = Write(c, query);
        r.Rc.Should().Be(-Errno.EINVAL);
        Errno.Name(r.Rc).Should().Be("-EINVAL");
        Errors(r).Should().Equal(message, summary);
        c.Tables.SelectMany(t => t.Sites).Where(s => s.Table.ModName != "delta").Should().OnlyContain(s => s.Flags == 0);
    }

    [Test]
    public void FailedQuery_DoesNotStopTheWrite_TheLastErrorIsReturned()
    {
        var c = Boot();
        var r = Write(c, "bogus x; module alpha +p; line 2-1 +p; module beta +p");
        r.Rc.Should().Be(-Errno.EINVAL);
        r.Queries.Select(q => q.Rc).Should().Equal(-Errno.EINVAL, 11, -Errno.EINVAL, 10);
        r.Matches.Should().Be(21);
        c.Tables.Where(t => t.ModName is "alpha" or "beta").SelectMany(t => t.Sites).Should().OnlyContain(s => s.Flags == ControlFlags.Print);
    }

    [Test]
    public void Separators_CommentsAndBlanks()
    {
        var c = Boot();
        var r = Write(c, "  # only a comment\n;; module alpha +p # trailing\n#module beta +p;\tmodule\tbeta\v+l");
        r.Rc.Should().Be(80, "the write returns its length");
        r.Queries.Select(q => q.Text).Should().Equal("module alpha +p # trailing", "module\\x09beta\\x0b+l");
        Site(c, "alpha_open", 19).Flags.Should().Be(ControlFlags.Print);
        Site(c, "beta_reset", 39).Flags.Should().Be(ControlFlags.InclLineno);

        // U+00A0 written as UTF-8 is C2 A0: A0 is a kernel blank, but C2 ('Â' in Latin-1) is a letter of the word.
        var nbsp = Write(c, "module\u00a0beta +p");
        nbsp.Rc.Should().Be(-Errno.EINVAL);
        Errors(nbsp).Should().Equal("dyndbg: unknown keyword \"module\uFFFD\"", "dyndbg: query parse failed");
    }

    [Test]
    public void Latin1Blank_SplitsWords()
    {
        var c = Boot();
        c.Write([.. "module"u8, 0xa0, .. "beta"u8, 0xa0, .. "+p"u8]).Rc.Should().Be(14);
        c.Tables.Single(t => t.ModName == "beta").Sites.Should().OnlyContain(s => s.Flags == ControlFlags.Print);
    }

    [Test]
    public void WriteSize_EmptyIsZero_4095Runs_4096IsE2big()
    {
        var c = Boot();
        var empty = c.Write([]);
        (empty.Length, empty.Rc, empty.Queries.Count, empty.Log.Count).Should().Be((0, 0, 0, 0));
        Write(c, new string(' ', 4093) + "+p").Rc.Should().Be(4095);
        var big = Write(c, new string(' ', 4094) + "-p");
        big.Rc.Should().Be(-Errno.E2BIG);
        Errno.Name(big.Rc).Should().Be("-E2BIG");
        Errors(big).Should().Equal("dyndbg: expected <4096 bytes into control");
        Site(c, "alpha_open", 19).Flags.Should().Be(ControlFlags.Print, "the over-long write ran nothing");
    }

    [Test]
    public void Nul_EndsWhatTheKernelReads_ButTheWriteReturnsItsLength()
    {
        var c = Boot();
        c.Write("module alpha +p\0module beta +p"u8).Rc.Should().Be(30);
        Site(c, "alpha_open", 19).Flags.Should().Be(ControlFlags.Print);
        Site(c, "beta_reset", 39).Flags.Should().Be(0);
    }

    [Test]
    public void FlagOps_SetAddRemove_AndUnderscore()
    {
        var c = Boot();
        var s = Site(c, "alpha_open", 19);
        Write(c, "func alpha_open =pmf");
        s.Flags.Should().Be(ControlFlags.Print | ControlFlags.InclModname | ControlFlags.InclFuncname);
        Write(c, "func alpha_open -m+");
        s.Flags.Should().Be(ControlFlags.Print | ControlFlags.InclModname | ControlFlags.InclFuncname, "'-m+' has the unknown flag '+'");
        Write(c, "func alpha_open -mp");
        s.Flags.Should().Be(ControlFlags.InclFuncname);
        Write(c, "func alpha_open +lt");
        s.Flags.Should().Be(ControlFlags.InclFuncname | ControlFlags.InclLineno | ControlFlags.InclTid);
        Write(c, "func alpha_open +_").Queries.Single().Rc.Should().Be(2, "a match counts even when nothing changes");
        Write(c, "func alpha_open =_");
        s.Flags.Should().Be(0);
        Write(c, "func alpha_open =");
        s.Flags.Should().Be(0);
    }

    [Test]
    public void StaticKey_FollowsThePrintBit()
    {
        var c = Boot();
        var plain = Site(c, "alpha_open", 19);
        plain.Key.Should().Be(new StaticKey(0, false));
        plain.Prints.Should().BeFalse();
        Write(c, "func alpha_open +m");
        plain.Key.Should().Be(new StaticKey(0, false), "m alone does not touch the key");
        Write(c, "func alpha_open +p");
        plain.Key.Should().Be(new StaticKey(1, false));
        plain.Key!.Value.Instruction.Should().Be("jmp", "an unlikely branch enabled jumps to the pr_debug");
        plain.Prints.Should().BeTrue();

        var debug = Site(c, "delta_stop", 38);
        debug.Flags.Should().Be(ControlFlags.Print, "delta.c is built with DEBUG");
        debug.Key.Should().Be(new StaticKey(1, true));
        debug.Key!.Value.Instruction.Should().Be("nop");
        Write(c, "func delta_stop -p");
        debug.Key.Should().Be(new StaticKey(0, true));
        debug.Key!.Value.Instruction.Should().Be("jmp", "a likely branch disabled jumps over the pr_debug");
        debug.Prints.Should().BeFalse();
    }

    [Test]
    public void NoJumpLabel_HasNoKey_AndPrintsFollowTheFlag()
    {
        var c = new DyndbgControl();
        c.Load(Images.Sample("x86_64", "gamma.ko"));
        var s = c.Tables.Single().Sites[0];
        s.Key.Should().BeNull();
        s.Prints.Should().BeFalse();
        c.Write("+p"u8);
        s.Prints.Should().BeTrue();
    }

    [Test]
    public void Class_OnlyClassQueriesReachClassedSites()
    {
        var c = Boot();
        var classed = Site(c, "delta_start", 25);
        classed.ClassId.Should().Be(1);
        Write(c, "module delta =m").Queries.Single().Rc.Should().Be(4, "the DELTA_IO site is not in the default class");
        classed.Flags.Should().Be(ControlFlags.Print);
        Write(c, "class DELTA_IO =l").Queries.Single().Rc.Should().Be(1);
        classed.Flags.Should().Be(ControlFlags.InclLineno);
        Write(c, "class DELTA_CORE +p").Queries.Single().Rc.Should().Be(0, "no site has that class");
        Write(c, "class NOPE +p").Queries.Single().Rc.Should().Be(0);
    }

    [Test]
    public void FileTail_IsAFunctionOrALineRange()
    {
        var c = Boot();
        Write(c, "file beta_proto.c:beta_trace +p").Queries.Single().Rc.Should().Be(2);
        Write(c, "file beta_proto.c:?eta_trace +m").Queries.Single().Rc.Should().Be(2);
        Write(c, "file beta_proto.c:200003 +f").Queries.Single().Rc.Should().Be(1);
        Write(c, "file beta_proto.c:-20 +l").Queries.Single().Rc.Should().Be(2);
        Write(c, "file beta_proto.c:20- +t").Queries.Single().Rc.Should().Be(3);
        Write(c, "file beta_proto.c: -p").Queries.Single().Rc.Should().Be(5, "an empty tail is the range 0-0, i.e. any line");
        Write(c, "file beta_proto.c:_x +p").Rc.Should().Be(-Errno.EINVAL, "'_' is not alphabetic, so \"_x\" is a bad line number");
    }

    [Test]
    public void File_MatchesFullPathBasenameOrTrimmedPath()
    {
        var c = Boot(trimPrefix: "alpha_");
        Write(c, "file main.c +p").Queries.Single().Rc.Should().Be(7, "the trimmed path of alpha_main.c is main.c");
        Write(c, "file alpha_main.c +m").Queries.Single().Rc.Should().Be(7);
        ControlFileWriter.Render(c).Should().Contain("\nmain.c:19 [alpha]alpha_open =pm \"open %s id=%d flags=%#x\\n\"\n");
    }

    [Test]
    public void Format_UnescapedSubstring_CaretAnchors()
    {
        var c = Boot();
        Write(c, "format dequeue +p").Queries.Single().Rc.Should().Be(2);
        Write(c, "format ^dequeue +p").Queries.Single().Rc.Should().Be(2);
        Write(c, "format ^queue +p").Queries.Single().Rc.Should().Be(1, "only 'queue %s full' starts with it");
        Write(c, @"format state:\t""idle"" +m").Queries.Single().Rc.Should().Be(1, "a quote opens a word only at its start");
        Write(c, @"format 'state:\t""idle""' +m").Queries.Single().Rc.Should().Be(1);
        Write(c, @"format \011arg +f").Queries.Single().Rc.Should().Be(2);
        Write(c, @"format \0 +l").Queries.Single().Rc.Should().Be(26 - 1, "an empty format matches every default-class site");
    }

    [Test]
    public void LineRanges()
    {
        var c = Boot();
        int Count(string q) => Write(c, q).Queries.Single().Rc;
        Count("line 19 +p").Should().Be(1);
        Count("line 19-31 +p").Should().Be(10);
        Count("line -21 +p").Should().Be(7);
        Count("line 200000- +p").Should().Be(2);
        Count("line - +p").Should().Be(25);
        Count("line 0 +p").Should().Be(25);
        Count("line +19 +p").Should().Be(1);
    }

    [Test]
    public void ModuleParameter_LimitsQueriesWithoutAModule()
    {
        var c = Boot();
        c.ExecQueries("+p"u8, "beta").Should().Be(10);
        c.ExecQueries("module alpha +m"u8, "beta").Should().Be(11, "an explicit module wins (6.1)");
        Site(c, "alpha_open", 19).Flags.Should().Be(ControlFlags.InclModname);
    }

    [Test]
    public void Modules_AreAppendedInInsmodOrder_AndASecondInsmodIsRefused()
    {
        var c = Boot();
        c.Load(Images.Sample("x86_64", "gamma.ko")).Should().Be(0);
        c.Tables.Select(t => t.ModName).Should().Equal("alpha", "beta", "delta", "gamma");
        var render = ControlFileWriter.Render(c);
        render.IndexOf("[delta]", StringComparison.Ordinal).Should().BeLessThan(render.IndexOf("[gamma]", StringComparison.Ordinal));

        var m = new DyndbgControl();
        var riscv = Images.Sample("riscv64", "alpha.ko");
        m.Load(riscv).Should().Be(0);
        m.Load(riscv).Should().Be(0, "a .ko without .gnu.linkonce.this_module is consumed like a built-in image");
    }

    [Test]
    public void Verbose_LogsParsingAndPerSiteChanges()
    {
        var c = Boot(verbose: 4);
        var r = Write(c, "func alpha_open =pt");
        Errors(r).Should().Equal(
            "dyndbg: read 19 bytes from userspace",
            "dyndbg: query 0: \"func alpha_open =pt\" mod:*",
            "dyndbg: split into words: \"func\" \"alpha_open\" \"=pt\"",
            "dyndbg: op='='",
            "dyndbg: flags=0x11",
            "dyndbg: *flagsp=0x11 *maskp=0x0",
            "dyndbg: parsed: func=\"alpha_open\" file=\"\" module=\"\" format=\"\" lineno=0-0 class=(null)",
            "dyndbg: changed alpha_main.c:19 [alpha]alpha_open _ => pt",
            "dyndbg: changed alpha_main.c:21 [alpha]alpha_open _ => pt",
            "dyndbg: applied: func=\"alpha_open\" file=\"\" module=\"\" format=\"\" lineno=0-0 class=(null)",
            "dyndbg: processed 1 queries, with 2 matches, 0 errs");
    }

    [Test]
    public void SourceNameLetters_AcceptS_AndPrintItAfterF()
    {
        var c = Boot(letters: FlagLetters.WithSourceName);
        Write(c, "func alpha_open =pfsl").Rc.Should().Be(21);
        var s = Site(c, "alpha_open", 19);
        s.Flags.Should().Be(ControlFlags.Print | ControlFlags.InclFuncname | ControlFlags.InclSourcename | ControlFlags.InclLineno);
        ControlFileWriter.Render(c).Should().Contain("alpha_main.c:19 [alpha]alpha_open =pfsl \"");
        c.Prefix(s).Should().Be("alpha_open:alpha_main.c:19: ");
        Boot().Write("+s"u8).Rc.Should().Be(-Errno.EINVAL, "6.1 has no s");
    }
}
