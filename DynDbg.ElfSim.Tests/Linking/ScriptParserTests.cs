using DynDbg.ElfSim.Elf;
using DynDbg.ElfSim.Linking;
using S = DynDbg.ElfSim.Linking.ScriptStatement;

namespace DynDbg.ElfSim.Tests.Linking;

/// <summary>The linker-script parser: the constructs kernel scripts use, GNU ld's lexer states, errors with
/// file:line:col, and the map's printed form of expressions.</summary>
[TestFixture]
public class ScriptParserTests
{
    private static LinkerScript Parse(string text) => ScriptParser.Parse("t.lds", text);

    private static LinkException Fails(string text)
    {
        var act = () => Parse(text);
        return act.Should().Throw<LinkException>().Which;
    }

    [Test]
    public void BundledModuleScript_HasTheV5DyndbgRulesAfterThe61Script()
    {
        var script = BundledScripts.Load("module.lds");
        var sections = script.Statements.OfType<S.OutputSection>().ToList();
        sections.Select(s => s.Name).Should().Equal("/DISCARD/", "__ksymtab", "__ksymtab_gpl", "__kcrctab", "__kcrctab_gpl",
            ".ctors", ".init_array", ".altinstructions", "__bug_table", "__jump_table", "__patchable_function_entries",
            "__dyndbg_sites", "__dyndbg");

        // Reference section 6.9: the header section first in each array, both ALIGN(8), no address.
        var dyndbg = sections[^1];
        dyndbg.Address.Should().BeNull();
        dyndbg.Align.Should().BeOfType<ScriptExpression.Number>().Which.Value.Should().Be(8);
        dyndbg.Children.OfType<S.InputSections>().Select(w => w.Print()).Should().Equal("*(.gnu.linkonce.dyndbg)", "*(__dyndbg)");
        sections[1].Address.Should().BeOfType<ScriptExpression.Number>().Which.Value.Should().Be(0);
        sections[1].Children.OfType<S.InputSections>().Single().Print().Should().Be("*(SORT_BY_NAME(___ksymtab+*))");
        sections[8].Children.OfType<S.InputSections>().Single().Keep.Should().BeTrue();
    }

    [TestCase("module-6.1.lds")]
    [TestCase("module-v6.lds")]
    [TestCase("vmlinux-dyndbg.lds")]
    public void EveryBundledScriptParses(string name)
    {
        BundledScripts.Load(name).Statements.Should().NotBeEmpty();
    }

    [Test]
    public void VmlinuxFragment_PlacesTheHeaderInsideTheBounds()
    {
        var data = BundledScripts.Load("vmlinux-dyndbg.lds").Statements.OfType<S.OutputSection>().Single();
        var order = data.Children.Select(c => c switch
        {
            S.Assignment a => a.Target,
            S.InputSections w => w.Print(),
            _ => "?",
        }).ToList();
        order.Should().ContainInOrder("__start___dyndbg_sites", "*(.gnu.linkonce.dyndbg_site)", "*(__dyndbg_sites)", "__stop___dyndbg_sites",
            "__start___dyndbg", "*(.gnu.linkonce.dyndbg)", "*(__dyndbg)", "__stop___dyndbg");
    }

    [Test]
    public void WildState_NamesKeepGlobCharacters_AndCommasBelongToTheName()
    {
        var os = Parse("SECTIONS { .t : { *(.text .text.[0-9a-zA-Z_]*) *(.a,.b) x*.o(.c?) } }").Statements.OfType<S.OutputSection>().Single();
        var w = os.Children.OfType<S.InputSections>().ToList();
        w[0].Sections.Select(p => p.Pattern).Should().Equal(".text", ".text.[0-9a-zA-Z_]*");
        // As in ld's WILD state, ',' is a name character: this is one pattern that matches a section called ".a,.b".
        w[1].Sections.Select(p => p.Pattern).Should().Equal(".a,.b");
        w[2].File.Pattern.Should().Be("x*.o");
        w[2].Sections.Single().Pattern.Should().Be(".c?");
    }

    [Test]
    public void KeywordsAreWholeWords()
    {
        var os = Parse("SECTIONS { .k : { KEEPER(.x) KEEP(*(.y)) } }").Statements.OfType<S.OutputSection>().Single();
        var w = os.Children.OfType<S.InputSections>().ToList();
        w[0].File.Pattern.Should().Be("KEEPER");
        w[0].Keep.Should().BeFalse();
        w[1].Keep.Should().BeTrue();
    }

    [Test]
    public void SortForms_AndExcludeFile()
    {
        var os = Parse("""
            SECTIONS {
              .s : {
                *(SORT(.a.*) SORT_BY_ALIGNMENT(.b.*) SORT_BY_NAME(SORT_BY_ALIGNMENT(.c.*)) SORT_BY_ALIGNMENT(SORT_BY_NAME(.d.*)))
                *(SORT_NONE(.e) SORT_BY_INIT_PRIORITY(.init_array.*))
                SORT(*)(.f)
                EXCLUDE_FILE(a.o b.o) *(.g)
                *(EXCLUDE_FILE(*crtend.o) .h .i)
              }
            }
            """).Statements.OfType<S.OutputSection>().Single();
        var w = os.Children.OfType<S.InputSections>().ToList();
        w[0].Sections.Select(p => p.Sort).Should().Equal(InputSort.ByName, InputSort.ByAlignment, InputSort.ByNameAlignment, InputSort.ByAlignmentName);
        w[1].Sections.Select(p => p.Sort).Should().Equal(InputSort.ByNone, InputSort.ByInitPriority);
        w[2].File.Sort.Should().Be(InputSort.ByName);
        w[3].File.ExcludeFiles.Should().Equal("a.o", "b.o");
        w[4].Sections[0].ExcludeFiles.Should().Equal("*crtend.o");
        w[4].Sections[1].ExcludeFiles.Should().BeEmpty();

        // The map prints them as ld does (exclude lists last first: ld's parser prepends).
        w[0].Print().Should().Be("*(SORT_BY_NAME(.a.*) SORT_BY_ALIGNMENT(.b.*) SORT_BY_NAME(SORT_BY_ALIGNMENT(.c.*)) SORT_BY_ALIGNMENT(SORT_BY_NAME(.d.*)))");
        w[2].Print().Should().Be("SORT_BY_NAME(*)(.f)");
        w[3].Print().Should().Be("EXCLUDE_FILE(b.o a.o) *(.g)");
        w[4].Print().Should().Be("*(EXCLUDE_FILE(*crtend.o) .h .i)");
    }

    [Test]
    public void Assignments_ProvideHiddenAndCompoundOperators()
    {
        var st = Parse("""
            a = 1;
            SECTIONS {
              b += 2 * 3;
              .x : { . = ALIGN(8); c = .; PROVIDE(d = c + 4); PROVIDE_HIDDEN(e = 0x10); HIDDEN(f = .); }
            }
            """).Statements;
        var top = st.OfType<S.Assignment>().ToList();
        top[0].Print().Should().Be("a = 0x1");
        top[1].Print().Should().Be("b = (b + 0x6)"); // exp_binop folds 2 * 3 while parsing
        var inner = st.OfType<S.OutputSection>().Single().Children.OfType<S.Assignment>().ToList();
        inner.Select(a => a.Print()).Should().Equal(". = ALIGN (0x8)", "c = .", "PROVIDE (d = (c + 0x4))", "PROVIDE (e = 0x10)", "f = .");
        inner[3].Hidden.Should().BeTrue();
        inner[3].Provide.Should().BeTrue();
        inner[4].Hidden.Should().BeTrue();
        inner[4].Provide.Should().BeFalse();
    }

    [TestCase("x = 0x10;", 0x10UL)]
    [TestCase("x = 010;", 8UL)]
    [TestCase("x = 08;", 0UL)]
    [TestCase("x = 4K;", 4096UL)]
    [TestCase("x = 2M;", 2UL * 1024 * 1024)]
    [TestCase("x = 1fh;", 0x1fUL)]
    [TestCase("x = 101b;", 5UL)]
    [TestCase("x = $ff;", 0xffUL)]
    public void Numbers_AsBfdScanVmaReadsThem(string text, ulong value)
    {
        Parse(text).Statements.OfType<S.Assignment>().Single().Value.Should().BeOfType<ScriptExpression.Number>().Which.Value.Should().Be(value);
    }

    [Test]
    public void ExpressionPrecedence_AndPrintedForm()
    {
        var a = Parse("x = p + q * r << 1 | ADDR(.text) & ~SIZEOF(.data) == 0 ? MAX(p, 2) : ALIGN(. , 4);").Statements.OfType<S.Assignment>().Single();
        a.Value.Print().Should().Be("(((p + (q * r)) << 0x1) | (ADDR (.text) & (~ (SIZEOF (.data)) == 0x0)))?MAX (p, 0x2):ALIGN (., 0x4)");
    }

    /// <summary>ld/ldexp.c exp_binop, exp_unop, exp_trinop: an operator whose operands are all numbers becomes
    /// its value while the script is parsed; ALIGN, ABSOLUTE, NEXT and names (CONSTANT too) are left as they are.</summary>
    [TestCase("x = 1 + 2 * 3 << 1 | 0x100;", "0x10e")]
    [TestCase("x = -1;", "0xffffffffffffffff")]
    [TestCase("x = ~0 == -1;", "0x1")]
    [TestCase("x = !5 || LOG2CEIL(5) > 2;", "0x1")]
    [TestCase("x = MAX(1, 2) + MIN(3, 4);", "0x5")]
    [TestCase("x = (0 - 4) / 2 + (0 - 9) % 2;", "0xfffffffffffffffd")]
    [TestCase("x = 1 << 65;", "0x2")]
    [TestCase("x = ((0 - 4) / 2 == (0 - 2)) ? ssca : 1;", "0x1?ssca:0x1")]
    [TestCase("x = 1 ? 2 : 3 * 4;", "0x2")]
    [TestCase("x = ALIGN(2 * 4) + ALIGN(8, 2 + 2) + ABSOLUTE(1 + 1) + NEXT(4);", "(((ALIGN (0x8) + ALIGN (0x8, 0x4)) + ABSOLUTE (0x2)) + NEXT (0x4))")]
    [TestCase("x = CONSTANT(MAXPAGESIZE) + (1 + 1);", "(CONSTANT (MAXPAGESIZE) + 0x2)")]
    public void ConstantSubexpressions_AreFoldedWhileParsing(string text, string printed)
    {
        Parse(text).Statements.OfType<S.Assignment>().Single().Value.Print().Should().Be(printed);
    }

    [Test]
    public void OutputSectionHeaders_AddressTypeAlign()
    {
        var os = Parse("SECTIONS { .a 0x100 : { } .b (NOLOAD) : ALIGN(16) { } .c (0x10 + 8) : { } .d : { } }").Statements.OfType<S.OutputSection>().ToList();
        os[0].Address.Should().BeOfType<ScriptExpression.Number>();
        os[1].NoLoad.Should().BeTrue();
        os[1].Address.Should().BeNull();
        os[1].Align!.Print().Should().Be("0x10");
        os[2].Address!.Print().Should().Be("0x18");
        os[3].Address.Should().BeNull();
    }

    [Test]
    public void DataStatements()
    {
        var os = Parse("SECTIONS { .plt 0 : { BYTE(0) SHORT(1) LONG(2) QUAD(3) SQUAD(-1) } }").Statements.OfType<S.OutputSection>().Single();
        os.Children.OfType<S.Data>().Select(d => (d.Keyword, d.Size)).Should().Equal(("BYTE", 1), ("SHORT", 2), ("LONG", 4), ("QUAD", 8), ("SQUAD", 8));
    }

    [Test]
    public void CommentsAndSeveralSectionsBlocks()
    {
        var s = Parse("/* a */ SECTIONS { # line comment\n .a : { *(.a) } } /* b */ SECTIONS { .b : { *(.b /* inside */ .c) } }");
        s.Statements.OfType<S.OutputSection>().Select(o => o.Name).Should().Equal(".a", ".b");
        s.Statements.OfType<S.OutputSection>().Last().Children.OfType<S.InputSections>().Single().Sections.Select(p => p.Pattern).Should().Equal(".b", ".c");
    }

    [Test]
    public void Include_InEachContext_AndResolvesBesideTheScript()
    {
        var dir = Path.Combine(TestContext.CurrentContext.WorkDirectory, "incl");
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "top.lds"), "SECTIONS { INCLUDE sec.lds }");
        File.WriteAllText(Path.Combine(dir, "sec.lds"), ".x : { INCLUDE wild.lds }");
        File.WriteAllText(Path.Combine(dir, "wild.lds"), "*(.x) y = .;");
        File.WriteAllText(Path.Combine(dir, "main.lds"), "INCLUDE top.lds");
        var s = ScriptParser.ParseFile(Path.Combine(dir, "main.lds"));
        var x = s.Statements.OfType<S.OutputSection>().Single();
        x.Children.Should().HaveCount(2);
        s.Files.Select(Path.GetFileName).Should().Equal("main.lds", "top.lds", "sec.lds", "wild.lds");
        x.Children[1].Location.File.Should().EndWith("wild.lds");
    }

    [Test]
    public void Include_Missing_And_Recursive()
    {
        Fails("INCLUDE nowhere.lds").Id.Should().Be(LinkErrorIds.ScriptInclude);
        var dir = Path.Combine(TestContext.CurrentContext.WorkDirectory, "loop");
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "self.lds"), "INCLUDE self.lds");
        var act = () => ScriptParser.ParseFile(Path.Combine(dir, "self.lds"));
        act.Should().Throw<LinkException>().Which.Message.Should().Contain("INCLUDE cycle: self.lds -> self.lds");
    }

    [TestCase("SECTIONS { ; }", 1, 12)]
    [TestCase("SECTIONS {\n  .text { *(.text) }\n}", 2, 9)]
    [TestCase("SECTIONS { .a : { *(.a) }", 1, 26)]
    [TestCase("SECTIONS { ASSERT(1, m); }", 1, 24)]
    [TestCase("x = ;", 1, 5)]
    [TestCase("SECTIONS { .a : { *( ) } }", 1, 22)]
    [TestCase("/* never closed", 1, 1)]
    public void SyntaxErrors_NameFileLineColumn(string text, int line, int column)
    {
        var e = Fails(text);
        e.Id.Should().Be(LinkErrorIds.ScriptSyntax);
        e.OneLine.Should().StartWith($"t.lds:{line}:{column}: error LNK001: syntax error");
    }

    [TestCase("MEMORY { ram : ORIGIN = 0, LENGTH = 1M }", "MEMORY")]
    [TestCase("SECTIONS { OVERLAY : { .a { } } }", "OVERLAY")]
    [TestCase("SECTIONS { .a : AT(0x100) { } }", "AT")]
    [TestCase("SECTIONS { .a : { } > ram }", "memory region (>REGION)")]
    [TestCase("SECTIONS { .a : { } :text }", "program header (:PHDR)")]
    [TestCase("SECTIONS { .a : { } =0x90 }", "fill expression (=FILL)")]
    [TestCase("SECTIONS { .a : SUBALIGN(4) { } }", "SUBALIGN")]
    [TestCase("SECTIONS { .a : ONLY_IF_RO { } }", "ONLY_IF_RO")]
    [TestCase("SECTIONS { .a (COPY) : { } }", "section type (COPY)")]
    [TestCase("SECTIONS { .a : { FILL(0x90) } }", "FILL")]
    [TestCase("SECTIONS { .a : { INPUT_SECTION_FLAGS(SHF_ALLOC) *(.a) } }", "INPUT_SECTION_FLAGS")]
    [TestCase("OUTPUT_FORMAT(elf64-x86-64)", "OUTPUT_FORMAT")]
    [TestCase("PHDRS { text PT_LOAD; }", "PHDRS")]
    [TestCase("x = SIZEOF_HEADERS;", "SIZEOF_HEADERS")]
    [TestCase("x = ORIGIN(ram);", "ORIGIN")]
    public void UnsupportedConstructs_AreNamed(string text, string construct)
    {
        var e = Fails(text);
        e.Id.Should().Be(LinkErrorIds.ScriptUnsupported);
        e.Message.Should().StartWith($"{construct} is not supported by this ld -r emulation");
        e.File.Should().MatchRegex(@"^t\.lds:1:\d+$");
    }
}
