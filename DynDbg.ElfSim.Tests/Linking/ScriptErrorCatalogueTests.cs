using DynDbg.ElfSim.Diagnostics;
using DynDbg.ElfSim.Elf;
using DynDbg.ElfSim.Linking;

namespace DynDbg.ElfSim.Tests.Linking;

/// <summary>
/// The catalogue of broken linker scripts (issue 6): each ends in one line with its LNK ID and the file:line ld
/// itself names, through the same link the CLI runs; and ld.bfd 2.40 on the same script and object fails (or
/// succeeds) the same way. docs/robustness.md lists ld's wording next to ours.
/// </summary>
[TestFixture]
public class ScriptErrorCatalogueTests
{
    /// <summary>Name, script, our ID, our line; ld's line (0 = ld names none or another), whether ld also fails.</summary>
    private static IEnumerable<TestCaseData> Cases()
    {
        var deepParens = "x = " + new string('(', 100_000) + "1" + new string(')', 100_000) + ";\n";
        var deepUnary = "x = " + new string('-', 100_000) + "1;\n";
        var deepElse = "x = " + string.Concat(Enumerable.Repeat("0 ? 1 : ", 100_000)) + "1;\n";
        // Of names: a chain of numbers is folded one operator at a time while parsing (exp_binop), as ld does.
        var longChain = "x = " + string.Join("+", Enumerable.Repeat(".", 5000)) + ";\n";
        var deepConditional = "x = " + string.Concat(Enumerable.Repeat("1 ? ", 100_000)) + "1" + string.Concat(Enumerable.Repeat(" : 0", 100_000)) + ";\n";
        return new[]
        {
            Case("unterminated_brace", "SECTIONS {\n  .text : { *(.text) }\n", LinkErrorIds.ScriptSyntax, 3, ldLine: 0, ldFails: true),
            Case("unterminated_section_brace", "SECTIONS {\n  .text : { *(.text)\n", LinkErrorIds.ScriptSyntax, 3, ldLine: 0, ldFails: true),
            Case("unterminated_comment", "SECTIONS {\n  /* never closed\n  .text : { *(.text) }\n}\n", LinkErrorIds.ScriptSyntax, 2, ldLine: 0, ldFails: true),
            // ld only warns "ignoring invalid character `\"'" and links; a name that never closes is refused here.
            Case("unterminated_string", "SECTIONS {\n  .text : { *(\"foo) }\n}\n", LinkErrorIds.ScriptSyntax, 2, ldLine: 0, ldFails: false),
            Case("unknown_command", "FROBNICATE(x)\nSECTIONS { }\n", LinkErrorIds.ScriptSyntax, 1, ldLine: 1, ldFails: true),
            Case("unknown_statement", "SECTIONS {\n  .text : { *(.text) }\n  FROB;\n}\n", LinkErrorIds.ScriptSyntax, 3, ldLine: 3, ldFails: true),
            Case("deep_parentheses", deepParens, LinkErrorIds.ScriptTooDeep, 1, ldLine: 1, ldFails: true),
            Case("deep_unary", deepUnary, LinkErrorIds.ScriptTooDeep, 1, ldLine: 1, ldFails: true),
            Case("deep_conditional", deepConditional, LinkErrorIds.ScriptTooDeep, 1, ldLine: 1, ldFails: true),
            Case("deep_else", deepElse, LinkErrorIds.ScriptTooDeep, 1, ldLine: 1, ldFails: true),
            // ld's grammar is left-recursive, so a long chain costs it no stack; here it does (folding recurses).
            Case("long_operator_chain", longChain, LinkErrorIds.ScriptTooDeep, 1, ldLine: 0, ldFails: false),
            Case("division_by_zero", "SECTIONS {\n  .text : { *(.text) }\n  x = 1 / 0;\n}\n", LinkErrorIds.ScriptEvaluation, 3, ldLine: 3, ldFails: true),
            // exp_trinop folds the constant condition only after exp_binop folded 1 / 0: fatal at parse time.
            Case("division_by_zero_untaken", "SECTIONS {\n  .text : { *(.text) }\n}\nx = 0 ? 1 / 0 : 2;\n", LinkErrorIds.ScriptEvaluation, 4, ldLine: 4, ldFails: true),
            // ld.bfd 2.40 dies of SIGFPE (fold_binary's signed division) and names nothing.
            Case("division_overflow", "x = 0x8000000000000000 / (0 - 1);\n", LinkErrorIds.ScriptEvaluation, 1, ldLine: 0, ldFails: true),
            Case("modulo_overflow", "SECTIONS {\n  .text : { *(.text) x = 0x8000000000000000 % (. - 0x174); }\n}\n", LinkErrorIds.ScriptEvaluation, 2, ldLine: 0, ldFails: true),
            Case("modulo_by_zero", "SECTIONS {\n  .text : { *(.text) }\n  x = 1 % (2 - 2);\n}\n", LinkErrorIds.ScriptEvaluation, 3, ldLine: 3, ldFails: true),
            Case("dot_backwards_inside", "SECTIONS {\n  .text : { *(.text) . = 0; }\n}\n", LinkErrorIds.ScriptEvaluation, 2, ldLine: 2, ldFails: true),
            Case("dot_backwards_between", "SECTIONS {\n  .text : { *(.text) }\n  .data : { . = ADDR(.text); *(.data) }\n}\n", LinkErrorIds.ScriptEvaluation, 3, ldLine: 3, ldFails: true),
            Case("dot_from_undefined", "SECTIONS {\n  .text : { *(.text) . = nowhere; }\n}\n", LinkErrorIds.ScriptEvaluation, 2, ldLine: 2, ldFails: true),
            Case("failed_assert", "SECTIONS {\n  .text : { *(.text) }\n  ASSERT(SIZEOF(.text) == 0, \"text is not empty\")\n}\n", LinkErrorIds.ScriptAssertion, 3, ldLine: 0, ldFails: true),
        };

        static TestCaseData Case(string name, string script, string id, int line, int ldLine, bool ldFails) =>
            new TestCaseData(name, script, id, line, ldLine, ldFails).SetName($"Broken_{name}");
    }

    [TestCaseSource(nameof(Cases))]
    public void OneLineWithItsIdAndLine(string name, string script, string id, int line, int ldLine, bool ldFails)
    {
        var e = Link(Dir(name), script);
        e.Should().NotBeNull($"{name} must be refused");
        e!.Id.Should().Be(id);
        e.OneLine.Should().Contain($"{name}.lds:{line}:").And.NotContain("\n");
    }

    [TestCaseSource(nameof(Cases))]
    [Category("Tools")]
    public void LdBfdAgrees(string name, string script, string id, int line, int ldLine, bool ldFails)
    {
        var dir = Dir(name);
        File.WriteAllText(Path.Combine(dir, $"{name}.lds"), script);
        File.Copy(TestPaths.Sample("x86_64", "alpha_main.o"), Path.Combine(dir, "in.o"), overwrite: true);
        var (code, _, err) = Tools.RunIn(dir, "ld.bfd", "-r", "-T", $"{name}.lds", "-o", "ld.o", "in.o");
        (code != 0).Should().Be(ldFails, $"ld said: {err}");
        if (ldLine > 0)
        {
            err.Should().Contain($"{name}.lds:{ldLine}");
            ldLine.Should().Be(line, "we name the line ld names");
        }
    }

    /// <summary>Found by the script mutator: ld writes a 2 GiB (sparse) file for these; building the contents in
    /// memory ran out of stream (IOException) or overflowed a size (OverflowException).</summary>
    [TestCase("big_padding", "SECTIONS {\n  .text : { *(.text) . = . + 0x7fffffff; }\n}\n", 2)]
    [TestCase("dot_near_top", "SECTIONS {\n  .text : { . = 0xfffffffffffff000; *(.text) }\n}\n", 2)]
    [TestCase("two_halves", "SECTIONS {\n  .text : { *(.text) . = . + 0x30000000; }\n  .data : { *(.data) . = . + 0x30000000; }\n}\n", 3)]
    public void OutputPastTheBound_IsRefused(string name, string script, int line)
    {
        var e = Link(Dir(name), script);
        e.Should().NotBeNull();
        e!.Id.Should().Be(LinkErrorIds.LinkOutputTooLarge);
        e.OneLine.Should().Contain($"{name}.lds:{line}:").And.Contain("past 1 GiB");
    }

    [Test]
    public void IncludeCycle_NamesTheChain_AndARepeatedIncludeIsFine()
    {
        var dir = Dir("include");
        File.WriteAllText(Path.Combine(dir, "a.lds"), "INCLUDE b.lds\n");
        File.WriteAllText(Path.Combine(dir, "b.lds"), "SECTIONS { }\nINCLUDE a.lds\n");
        File.WriteAllText(Path.Combine(dir, "once.lds"), "x = 1;\n");
        File.WriteAllText(Path.Combine(dir, "twice.lds"), "INCLUDE once.lds\nINCLUDE once.lds\nSECTIONS { }\n");

        var act = () => ScriptParser.ParseFile(Path.Combine(dir, "a.lds"));
        var e = act.Should().Throw<DiagnosticException>().Which;
        e.Id.Should().Be(LinkErrorIds.ScriptInclude);
        e.OneLine.Should().Contain("b.lds:2:1").And.Contain("INCLUDE cycle: a.lds -> b.lds -> a.lds");

        ScriptParser.ParseFile(Path.Combine(dir, "twice.lds")).Files.Should().HaveCount(3, "ld 2.40 accepts an INCLUDE of a finished file");
    }

    /// <summary>A device or FIFO would block or read forever (issue 18's review of what the fuzzed script target can
    /// reach): refused on the INCLUDE's line.</summary>
    [TestCase("/dev/zero", "a character device")]
    [TestCase("/proc/self/mem", "cannot read")]
    public void IncludeOfSomethingThatIsNotAScript_IsRefusedOnItsLine(string target, string expected)
    {
        var act = () => ScriptParser.Parse("inc.lds", $"x = 1;\nINCLUDE {target}\n");
        var e = act.Should().Throw<DiagnosticException>().Which;
        e.Id.Should().Be(LinkErrorIds.ScriptInclude);
        e.OneLine.Should().StartWith("inc.lds:2:9:").And.Contain(expected);
    }

    [TestCase("x = 0x1ffffffffffffffffffff;", ulong.MaxValue)]
    [TestCase("x = 18446744073709551616;", ulong.MaxValue)]
    [TestCase("x = 18446744073709551615;", ulong.MaxValue)]
    [TestCase("x = 0777777777777777777777777;", ulong.MaxValue)]
    public void HugeNumbers_SaturateLikeStrtoul(string text, ulong value)
    {
        var a = (ScriptStatement.Assignment)ScriptParser.Parse("t.lds", text).Statements[0];
        ((ScriptExpression.Number)a.Value).Value.Should().Be(value, "ld 2.40 links x = 0xffffffffffffffff for these");
    }

    [Test]
    public void ExpressionsJustInsideTheBound_Parse()
    {
        var text = "x = " + new string('(', 200) + "1" + new string(')', 200) + " + " + string.Join("+", Enumerable.Repeat("1", 200)) + ";";
        ScriptParser.Parse("t.lds", text).Statements.Should().HaveCount(1);
    }

    private static string Dir(string name)
    {
        var dir = Path.Combine(TestContext.CurrentContext.WorkDirectory, "script-catalogue", name);
        Directory.CreateDirectory(dir);
        return dir;
    }

    /// <summary>Parses and links as `link -T` does, with the x86_64 sample; null when it links.</summary>
    private static DiagnosticException? Link(string dir, string script)
    {
        var name = Path.GetFileName(dir);
        var path = Path.Combine(dir, $"{name}.lds");
        File.WriteAllText(path, script);
        try
        {
            using var input = ElfFile.Open(TestPaths.Sample("x86_64", "alpha_main.o"));
            _ = Linker.Link(ScriptParser.ParseFile(path), [("alpha_main.o", input)]).ToElf();
            return null;
        }
        catch (DiagnosticException e)
        {
            return e;
        }
    }
}
