using DynDbg.ElfSim.Elf;
using E = DynDbg.ElfSim.Linking.ScriptExpression;
using S = DynDbg.ElfSim.Linking.ScriptStatement;
using St = DynDbg.ElfSim.Linking.ScriptLexerState;

namespace DynDbg.ElfSim.Linking;

/// <summary>
/// A recursive-descent parser for the GNU ld script language as kernel linker scripts use it, following ld 2.40's
/// grammar (ld/ldgram.y) and switching the lexer state exactly where ld's parser does. Constructs outside the
/// supported set are rejected with <c>file:line:col</c> and their name (<see cref="LinkErrorIds.ScriptUnsupported"/>);
/// anything ld itself would not parse is a syntax error (<see cref="LinkErrorIds.ScriptSyntax"/>).
/// </summary>
public sealed class ScriptParser
{
    private const int MaxIncludeDepth = 10;

    // ld's bison parser gives up at 10000 stack entries ("memory exhausted"); a recursive descent needs a bound well
    // below what a 1 MB thread stack holds, and kernel scripts nest a handful of levels.
    private const int MaxExpressionDepth = 256;

    private int _nesting;

    private static readonly Dictionary<string, string> TopLevelUnsupported = new()
    {
        ["MEMORY"] = "memory regions do not apply to a relocatable link",
        ["PHDRS"] = "program headers do not apply to a relocatable link",
        ["VERSION"] = "symbol versions are not emulated",
        ["STARTUP"] = "input files come from the command line",
        ["HLL"] = "input files come from the command line",
        ["SYSLIB"] = "input files come from the command line",
        ["FLOAT"] = "not an ELF concept",
        ["NOFLOAT"] = "not an ELF concept",
        ["TARGET"] = "the output format follows the inputs",
        ["SEARCH_DIR"] = "input files come from the command line",
        ["OUTPUT"] = "the output file comes from the command line",
        ["OUTPUT_FORMAT"] = "the output format follows the inputs",
        ["OUTPUT_ARCH"] = "the output architecture follows the inputs",
        ["FORCE_COMMON_ALLOCATION"] = "common symbols stay common in ld -r",
        ["FORCE_GROUP_ALLOCATION"] = "section groups are not emulated",
        ["INHIBIT_COMMON_ALLOCATION"] = "common symbols stay common in ld -r",
        ["INPUT"] = "input files come from the command line",
        ["GROUP"] = "input files come from the command line",
        ["MAP"] = "use link -Map",
        ["NOCROSSREFS"] = "cross-reference checks are not emulated",
        ["NOCROSSREFS_TO"] = "cross-reference checks are not emulated",
        ["EXTERN"] = "undefined-symbol seeding is not emulated",
        ["INSERT"] = "scripts that augment the default script are not emulated",
        ["REGION_ALIAS"] = "memory regions do not apply to a relocatable link",
        ["LD_FEATURE"] = "ld feature switches are not emulated",
    };

    private readonly Stack<ScriptLexer> _lexers = new();
    private readonly List<string> _files = [];
    private readonly Func<string, ScriptLocation, (string Path, string Text)> _include;

    private ScriptParser(Func<string, ScriptLocation, (string, string)> include) => _include = include;

    /// <summary>Reads and parses <paramref name="path"/>. INCLUDE names are looked up in the current directory,
    /// then in the including script's directory.</summary>
    public static LinkerScript ParseFile(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ElfFormatException(ErrorIds.UnreadableFile, path, "linker script", null, e.Message);
        }

        return Parse(path, text, Path.GetDirectoryName(Path.GetFullPath(path)));
    }

    /// <summary>Parses script text named <paramref name="name"/> (for messages).</summary>
    public static LinkerScript Parse(string name, string text, string? baseDirectory = null)
    {
        var parser = new ScriptParser((file, at) => ResolveInclude(file, at, baseDirectory));
        parser._files.Add(name);
        parser._lexers.Push(new ScriptLexer(name, text));
        var statements = new List<ScriptStatement>();
        parser.ParseTopLevel(statements);
        return new LinkerScript(name, statements, parser._files);
    }

    private static (string, string) ResolveInclude(string file, ScriptLocation at, string? baseDirectory)
    {
        foreach (var candidate in new[] { file, baseDirectory is null ? null : Path.Combine(baseDirectory, file) })
        {
            if (candidate is not null && File.Exists(candidate))
            {
                // INCLUDE /dev/zero would read forever, a FIFO would block, /proc/self/mem throws: refused as ld's
                // "cannot open" is, with the script's line.
                if (UnixFileStat.NotARegularFile(candidate) is { } what)
                {
                    throw ScriptErrors.Include(at, $"cannot include {file}: it is {what}, not an ordinary file");
                }

                try
                {
                    return (candidate, File.ReadAllText(candidate));
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    throw ScriptErrors.Include(at, $"cannot read {file}: {e.Message}");
                }
            }
        }

        throw ScriptErrors.Include(at, $"cannot find script file {file}");
    }

    // Tokens read ahead and given back (a name that did not start an assignment, a '(' that did not start a type).
    private readonly Stack<ScriptToken> _pushback = new();

    private ScriptLexer Lexer => _lexers.Peek();

    private ScriptToken Peek(St state) => _pushback.Count > 0 ? _pushback.Peek() : Lexer.Peek(state);

    private ScriptToken Next(St state) => _pushback.Count > 0 ? _pushback.Pop() : Lexer.Next(state);

    private ScriptToken Expect(St state, string punct, string context)
    {
        var t = Next(state);
        if (!t.Is(punct))
        {
            throw ScriptErrors.Syntax(t.Location, $"expected '{punct}' {context}, found {t.Describe()}");
        }

        return t;
    }

    private string ExpectName(St state, string context)
    {
        var t = Next(state);
        if (!t.IsName)
        {
            throw ScriptErrors.Syntax(t.Location, $"expected a name {context}, found {t.Describe()}");
        }

        return t.Text;
    }

    /// <summary>Parses the file named by INCLUDE with <paramref name="body"/>, which consumes statements until
    /// the included file ends (ld's END token).</summary>
    private void Include(ScriptToken includeToken, St state, Action body)
    {
        var name = Next(state);
        if (name.Kind is not (ScriptTokenKind.Name or ScriptTokenKind.Keyword))
        {
            throw ScriptErrors.Syntax(name.Location, $"expected a file name after INCLUDE, found {name.Describe()}");
        }

        if (_lexers.Count > MaxIncludeDepth)
        {
            throw ScriptErrors.Include(includeToken.Location, $"includes nested too deeply (more than {MaxIncludeDepth})");
        }

        var (path, text) = _include(name.Text, name.Location);
        // ld 2.40 refuses a script that is still open ("linker script file 'a.lds' appears multiple times"); an
        // INCLUDE of a finished file again is fine. Naming the chain shows where the loop closes.
        var open = _lexers.Reverse().Select(l => l.File).ToList();
        var first = open.FindIndex(f => SameFile(f, path));
        if (first >= 0)
        {
            var chain = string.Join(" -> ", open.Skip(first).Append(path).Select(Path.GetFileName));
            throw ScriptErrors.Include(includeToken.Location, $"INCLUDE cycle: {chain} (linker script file '{name.Text}' appears multiple times)");
        }

        _files.Add(path);
        _lexers.Push(new ScriptLexer(path, text));
        body();
        _lexers.Pop();
    }

    private static bool SameFile(string a, string b) =>
        string.Equals(Path.GetFullPath(a), Path.GetFullPath(b), StringComparison.Ordinal);

    // ------------------------------------------------------------------ top level (ifile_p1)

    private void ParseTopLevel(List<ScriptStatement> into)
    {
        while (true)
        {
            var t = Peek(St.Script);
            if (t.Kind == ScriptTokenKind.End)
            {
                return;
            }

            if (t.Is(";"))
            {
                Next(St.Script);
            }
            else if (t.Is("SECTIONS"))
            {
                Next(St.Script);
                var open = Expect(St.Script, "{", "after SECTIONS");
                ParseSectionsBody(into);
                Expect(St.Script, "}", $"to close SECTIONS (opened at {open.Location.Line}:{open.Location.Column})");
            }
            else if (t.Is("INCLUDE"))
            {
                Next(St.Script);
                Include(t, St.Script, () => ParseTopLevel(into));
            }
            else if (t.Kind == ScriptTokenKind.Keyword && TopLevelUnsupported.TryGetValue(t.Text, out var why))
            {
                throw ScriptErrors.Unsupported(t.Location, t.Text, why);
            }
            else if (!TryStatementAnywhere(into, St.Script))
            {
                // NAME( or NAME{ reads as a command; ld only says "syntax error".
                Next(St.Script);
                var after = Peek(St.Script);
                throw ScriptErrors.Syntax(t.Location, t.IsName && (after.Is("(") || after.Is("{"))
                    ? $"unknown command {t.Text}"
                    : $"unexpected {t.Describe()} at the top level of the script");
            }
        }
    }

    /// <summary>statement_anywhere: ENTRY(NAME), an assignment with its separator, ASSERT(exp, NAME).</summary>
    private bool TryStatementAnywhere(List<ScriptStatement> into, St state)
    {
        var t = Peek(state);
        if (t.Is("ENTRY"))
        {
            Next(state);
            Expect(St.Script, "(", "after ENTRY");
            var name = ExpectName(St.Script, "in ENTRY");
            Expect(St.Script, ")", "after the ENTRY symbol");
            into.Add(new S.Entry(name, t.Location));
            return true;
        }

        if (t.Is("ASSERT"))
        {
            into.Add(ParseAssert(state));
            return true;
        }

        if (TryAssignment(state, out var assignment))
        {
            into.Add(assignment);
            ExpectSeparator(assignment, state);
            return true;
        }

        return false;
    }

    private S.Assert ParseAssert(St state)
    {
        var t = Next(state);
        Expect(St.Expression, "(", "after ASSERT");
        var cond = ParseExpression();
        Expect(St.Expression, ",", "between the ASSERT condition and its message");
        var message = ExpectName(St.Expression, "as the ASSERT message");
        Expect(St.Expression, ")", "after the ASSERT message");
        return new S.Assert(cond, message, t.Location);
    }

    /// <summary>
    /// assignment: NAME '=' exp | NAME op= exp | HIDDEN/PROVIDE/PROVIDE_HIDDEN '(' NAME '=' exp ')'. The name and
    /// the operator are lexed in <paramref name="state"/>, the expression in the expression state.
    /// </summary>
    private bool TryAssignment(St state, out S.Assignment assignment)
    {
        assignment = null!;
        var t = Peek(state);
        if (t.Is("PROVIDE") || t.Is("PROVIDE_HIDDEN") || t.Is("HIDDEN"))
        {
            Next(state);
            Expect(state, "(", $"after {t.Text}");
            var target = Next(state);
            if (!target.IsName)
            {
                throw ScriptErrors.Syntax(target.Location, $"expected a symbol name in {t.Text}, found {target.Describe()}");
            }

            Expect(state, "=", $"after the symbol in {t.Text}");
            var value = ParseExpression();
            Expect(St.Expression, ")", $"to close {t.Text}");
            assignment = new S.Assignment(target.Text, value, t.Text != "HIDDEN", t.Text != "PROVIDE", t.Location);
            return true;
        }

        if (!t.IsName)
        {
            return false;
        }

        // Decide on the token after the name, lexed in the same state ld's parser sees it in.
        var name = Next(state);
        var op = Peek(state);
        string? binary = op.Kind == ScriptTokenKind.Punct ? op.Text switch
        {
            "=" => "",
            "+=" => "+",
            "-=" => "-",
            "*=" => "*",
            "/=" => "/",
            "<<=" => "<<",
            ">>=" => ">>",
            "&=" => "&",
            "|=" => "|",
            _ => null,
        } : null;
        if (binary is null)
        {
            _pushback.Push(name);
            return false;
        }

        Next(state);
        var rhs = ParseExpression();
        var at = name.Location;
        if (binary.Length > 0)
        {
            rhs = Bounded(new E.Binary(binary, new E.Symbol(name.Text, at), rhs, op.Location));
        }

        assignment = new S.Assignment(name.Text, rhs, false, false, at);
        return true;
    }

    /// <summary>
    /// The ';' or ',' after an assignment. After a plain assignment ld's parser has already read it as the
    /// expression's lookahead, in the expression state; after PROVIDE(...) it reads it in <paramref name="state"/>.
    /// </summary>
    private void ExpectSeparator(S.Assignment a, St state)
    {
        var sep = Next(a.Provide || a.Hidden ? state : St.Expression);
        if (!sep.Is(";") && !sep.Is(","))
        {
            throw ScriptErrors.Syntax(sep.Location, $"expected ';' after the assignment to {a.Target}, found {sep.Describe()}");
        }
    }

    // ------------------------------------------------------------------ SECTIONS { ... } (sec_or_group_p1)

    private void ParseSectionsBody(List<ScriptStatement> into)
    {
        while (true)
        {
            var t = Peek(St.Script);
            if (t.Is("}") || t.Kind == ScriptTokenKind.End)
            {
                return;
            }

            if (t.Is(";"))
            {
                // ld has no empty statement here; a stray ';' is its syntax error too.
                throw ScriptErrors.Syntax(t.Location, "unexpected ';' inside SECTIONS");
            }

            if (t.Is("INCLUDE"))
            {
                Next(St.Script);
                Include(t, St.Script, () => ParseSectionsBody(into));
                continue;
            }

            if (t.Is("OVERLAY"))
            {
                throw ScriptErrors.Unsupported(t.Location, "OVERLAY", "overlays need load addresses, which a relocatable link does not have");
            }

            if (t.Is("GROUP"))
            {
                throw ScriptErrors.Unsupported(t.Location, "GROUP inside SECTIONS", "an svr3 compatibility form");
            }

            if (TryStatementAnywhere(into, St.Script))
            {
                continue;
            }

            var name = Next(St.Script);
            if (!name.IsName)
            {
                throw ScriptErrors.Syntax(name.Location, $"expected an output section name or an assignment, found {name.Describe()}");
            }

            into.Add(ParseOutputSection(name));
        }
    }

    /// <summary>
    /// section: NAME [exp] [(type)] ':' [AT(exp)] [ALIGN(exp)] [ALIGN_WITH_INPUT] [SUBALIGN(exp)] [constraint]
    /// '{' statements '}' [&gt;region] [AT&gt;region] [:phdr]... [=fill] [,]
    /// </summary>
    private S.OutputSection ParseOutputSection(ScriptToken name)
    {
        ScriptExpression? address = null;
        var noLoad = false;
        var t = Peek(St.Expression);
        if (t.Is("BIND"))
        {
            throw ScriptErrors.Unsupported(t.Location, "BIND", "an svr3 compatibility form");
        }

        if (t.Is("{") || t.Is("}") || t.Kind == ScriptTokenKind.End)
        {
            throw ScriptErrors.Syntax(t.Location, $"expected ':' after the output section name {name.Text}, found {t.Describe()}");
        }

        if (!t.Is(":") && !t.Is("("))
        {
            address = ParseExpression();
            t = Peek(St.Expression);
        }
        else if (t.Is("("))
        {
            // '(' starts either the type or a parenthesised address expression: the next token decides.
            var open = Next(St.Expression);
            var next = Peek(St.Expression);
            _pushback.Push(open);
            if (!next.Is(")") && !(next.Kind == ScriptTokenKind.Keyword && next.Text is "NOLOAD" or "DSECT" or "COPY" or "INFO" or "OVERLAY" or "READONLY" or "TYPE"))
            {
                address = ParseExpression();
            }

            t = Peek(St.Expression);
        }

        if (t.Is("("))
        {
            Next(St.Expression);
            var type = Next(St.Expression);
            if (type.Is(")"))
            {
                // '()' is a normal section.
            }
            else if (type.Is("NOLOAD"))
            {
                noLoad = true;
                Expect(St.Expression, ")", "after NOLOAD");
            }
            else if (type.Kind == ScriptTokenKind.Keyword && type.Text is "DSECT" or "COPY" or "INFO" or "OVERLAY" or "READONLY" or "TYPE")
            {
                throw ScriptErrors.Unsupported(type.Location, $"section type ({type.Text})", "only (NOLOAD) is emulated");
            }
            else
            {
                throw ScriptErrors.Syntax(type.Location, $"expected a section type such as NOLOAD, found {type.Describe()}");
            }
        }

        Expect(St.Expression, ":", $"after the output section name {name.Text}");
        ScriptExpression? align = null;
        while (true)
        {
            t = Peek(St.Expression);
            if (t.Is("ALIGN"))
            {
                Next(St.Expression);
                Expect(St.Expression, "(", "after ALIGN");
                align = ParseExpression();
                Expect(St.Expression, ")", "after the ALIGN expression");
            }
            else if (t.Kind == ScriptTokenKind.Keyword && t.Text is "AT" or "SUBALIGN" or "ALIGN_WITH_INPUT" or "ONLY_IF_RO" or "ONLY_IF_RW" or "SPECIAL")
            {
                throw ScriptErrors.Unsupported(t.Location, t.Text, t.Text switch
                {
                    "AT" => "load addresses do not apply to a relocatable link",
                    "SUBALIGN" => "input section alignment overrides are not emulated",
                    "ALIGN_WITH_INPUT" => "load addresses do not apply to a relocatable link",
                    _ => "section constraints are not emulated",
                });
            }
            else
            {
                break;
            }
        }

        var brace = Expect(St.Expression, "{", $"to open the output section {name.Text}");
        var children = new List<ScriptStatement>();
        ParseSectionStatements(children);
        Expect(St.Wild, "}", $"to close the output section {name.Text} (opened at {brace.Location.Line}:{brace.Location.Column})");

        // memspec_opt memspec_at_opt phdr_opt fill_opt opt_comma, lexed in the script state.
        t = Peek(St.Script);
        if (t.Is(">"))
        {
            throw ScriptErrors.Unsupported(t.Location, "memory region (>REGION)", "memory regions do not apply to a relocatable link");
        }

        if (t.Is("AT"))
        {
            throw ScriptErrors.Unsupported(t.Location, "AT>REGION", "load addresses do not apply to a relocatable link");
        }

        if (t.Is(":"))
        {
            throw ScriptErrors.Unsupported(t.Location, "program header (:PHDR)", "program headers do not apply to a relocatable link");
        }

        if (t.Is("="))
        {
            throw ScriptErrors.Unsupported(t.Location, "fill expression (=FILL)", "explicit fill patterns are not emulated (gaps get zeros, or NOPs in x86 code)");
        }

        if (t.Is(","))
        {
            Next(St.Script);
        }

        return new S.OutputSection(name.Text, address, noLoad, align, children, name.Location);
    }

    // ------------------------------------------------------------------ inside { ... } (statement_list, WILD state)

    private void ParseSectionStatements(List<ScriptStatement> into)
    {
        while (true)
        {
            var t = Peek(St.Wild);
            if (t.Is("}") || t.Kind == ScriptTokenKind.End)
            {
                return;
            }

            if (t.Is(";"))
            {
                Next(St.Wild);
                continue;
            }

            if (t.Is("INCLUDE"))
            {
                Next(St.Wild);
                Include(t, St.Wild, () => ParseSectionStatements(into));
                continue;
            }

            if (t.Is("ASSERT"))
            {
                into.Add(ParseAssert(St.Wild));
                var sep = Next(St.Expression);
                if (!sep.Is(";") && !sep.Is(","))
                {
                    throw ScriptErrors.Syntax(sep.Location, $"expected ';' after ASSERT, found {sep.Describe()}");
                }

                continue;
            }

            if (t.Kind == ScriptTokenKind.Keyword && t.Text is "BYTE" or "SHORT" or "LONG" or "QUAD" or "SQUAD")
            {
                Next(St.Wild);
                Expect(St.Wild, "(", $"after {t.Text}");
                var value = ParseExpression();
                Expect(St.Expression, ")", $"after the {t.Text} value");
                var size = t.Text switch { "BYTE" => 1, "SHORT" => 2, "LONG" => 4, _ => 8 };
                into.Add(new S.Data(t.Text, size, value, t.Location));
                continue;
            }

            if (t.Kind == ScriptTokenKind.Keyword && t.Text is "FILL" or "CREATE_OBJECT_SYMBOLS" or "CONSTRUCTORS" or "INPUT_SECTION_FLAGS")
            {
                throw ScriptErrors.Unsupported(t.Location, t.Text, t.Text switch
                {
                    "FILL" => "explicit fill patterns are not emulated (gaps get zeros, or NOPs in x86 code)",
                    "INPUT_SECTION_FLAGS" => "flag-based input selection is not emulated",
                    _ => "a COFF/a.out-era construct",
                });
            }

            if (TryAssignment(St.Wild, out var assignment))
            {
                into.Add(assignment);
                ExpectSeparator(assignment, St.Wild);
                continue;
            }

            into.Add(ParseInputSectionSpec());
        }
    }

    /// <summary>input_section_spec: [KEEP(] filename_spec [(section_name_list)] [)].</summary>
    private S.InputSections ParseInputSectionSpec()
    {
        var t = Peek(St.Wild);
        var keep = false;
        if (t.Is("KEEP"))
        {
            Next(St.Wild);
            Expect(St.Wild, "(", "after KEEP");
            keep = true;
        }

        var at = Peek(St.Wild).Location;
        var file = ParseFileSpec();
        IReadOnlyList<InputPattern> sections = [];
        var open = Peek(St.Wild);
        if (open.Is("("))
        {
            Next(St.Wild);
            sections = ParseSectionNameList();
            Expect(St.Wild, ")", "to close the input section list");
        }
        else if (open.Kind == ScriptTokenKind.Name && open.Text.StartsWith('['))
        {
            throw ScriptErrors.Unsupported(open.Location, "bracketed section list", "a MRI-era form");
        }

        if (keep)
        {
            Expect(St.Wild, ")", "to close KEEP");
        }

        return new S.InputSections(file, sections, keep, at);
    }

    /// <summary>filename_spec: [SORT_BY_NAME(|SORT_NONE(] [EXCLUDE_FILE(names)] NAME [)].</summary>
    private InputPattern ParseFileSpec()
    {
        var t = Next(St.Wild);
        var sort = InputSort.None;
        var close = 0;
        if (t.Is("SORT_BY_NAME") || t.Is("SORT") || t.Is("SORT_NONE"))
        {
            sort = t.Is("SORT_NONE") ? InputSort.ByNone : InputSort.ByName;
            Expect(St.Wild, "(", $"after {t.Text}");
            close = 1;
            t = Next(St.Wild);
            if (t.Is("CONSTRUCTORS"))
            {
                throw ScriptErrors.Unsupported(t.Location, "SORT(CONSTRUCTORS)", "a COFF/a.out-era construct");
            }
        }
        else if (t.Kind == ScriptTokenKind.Keyword && t.Text is "SORT_BY_ALIGNMENT" or "SORT_BY_INIT_PRIORITY")
        {
            throw ScriptErrors.Syntax(t.Location, $"{t.Text} cannot sort file names");
        }

        var excludes = new List<string>();
        if (t.Is("EXCLUDE_FILE"))
        {
            excludes = ParseExcludeList();
            t = Next(St.Wild);
        }

        if (!t.IsName)
        {
            throw ScriptErrors.Syntax(t.Location, $"expected a file name pattern, found {t.Describe()}");
        }

        for (var i = 0; i < close; i++)
        {
            Expect(St.Wild, ")", "to close the file-name sort");
        }

        return new InputPattern(t.Text, sort, excludes);
    }

    private List<string> ParseExcludeList()
    {
        Expect(St.Wild, "(", "after EXCLUDE_FILE");
        var names = new List<string>();
        while (true)
        {
            var t = Next(St.Wild);
            if (t.Is(")"))
            {
                break;
            }

            if (!t.IsName)
            {
                throw ScriptErrors.Syntax(t.Location, $"expected a file name in EXCLUDE_FILE, found {t.Describe()}");
            }

            names.Add(t.Text);
        }

        if (names.Count == 0)
        {
            throw ScriptErrors.Syntax(Peek(St.Wild).Location, "EXCLUDE_FILE needs at least one file name");
        }

        return names;
    }

    private List<InputPattern> ParseSectionNameList()
    {
        var list = new List<InputPattern>();
        while (true)
        {
            var t = Peek(St.Wild);
            if (t.Is(")"))
            {
                if (list.Count == 0)
                {
                    throw ScriptErrors.Syntax(t.Location, "an input section list needs at least one pattern");
                }

                return list;
            }

            list.Add(ParseSectionNameSpec());
        }
    }

    /// <summary>section_name_spec: a pattern with optional EXCLUDE_FILE, wrapped in up to two SORT_* forms.</summary>
    private InputPattern ParseSectionNameSpec()
    {
        var t = Next(St.Wild);
        if (t.Kind == ScriptTokenKind.Keyword && t.Text is "SORT" or "SORT_BY_NAME" or "SORT_BY_ALIGNMENT" or "SORT_NONE" or "SORT_BY_INIT_PRIORITY")
        {
            var outer = t.Text;
            Expect(St.Wild, "(", $"after {outer}");
            var inner = Peek(St.Wild);
            InputPattern p;
            InputSort sort;
            if (inner.Kind == ScriptTokenKind.Keyword && inner.Text is "SORT" or "SORT_BY_NAME" or "SORT_BY_ALIGNMENT")
            {
                if (outer is "SORT_NONE" or "SORT_BY_INIT_PRIORITY")
                {
                    throw ScriptErrors.Syntax(inner.Location, $"{outer} cannot contain {inner.Text}");
                }

                Next(St.Wild);
                Expect(St.Wild, "(", $"after {inner.Text}");
                p = ParsePatternMaybeExclude();
                Expect(St.Wild, ")", $"to close {inner.Text}");
                var outerName = outer is "SORT" or "SORT_BY_NAME";
                var innerName = inner.Text is "SORT" or "SORT_BY_NAME";
                sort = (outerName, innerName) switch
                {
                    (true, true) => InputSort.ByName,
                    (true, false) => InputSort.ByNameAlignment,
                    (false, true) => InputSort.ByAlignmentName,
                    _ => InputSort.ByAlignment,
                };
            }
            else
            {
                p = ParsePatternMaybeExclude();
                sort = outer switch
                {
                    "SORT" or "SORT_BY_NAME" => InputSort.ByName,
                    "SORT_BY_ALIGNMENT" => InputSort.ByAlignment,
                    "SORT_NONE" => InputSort.ByNone,
                    _ => InputSort.ByInitPriority,
                };
            }

            Expect(St.Wild, ")", $"to close {outer}");
            return p with { Sort = sort };
        }

        return ParsePatternMaybeExclude(t);
    }

    private InputPattern ParsePatternMaybeExclude(ScriptToken? first = null)
    {
        var t = first ?? Next(St.Wild);
        var excludes = new List<string>();
        if (t.Is("EXCLUDE_FILE"))
        {
            excludes = ParseExcludeList();
            t = Next(St.Wild);
        }

        if (!t.IsName)
        {
            throw ScriptErrors.Syntax(t.Location, $"expected a section name pattern, found {t.Describe()}");
        }

        return new InputPattern(t.Text, InputSort.None, excludes);
    }

    // ------------------------------------------------------------------ expressions (exp, EXPRESSION state)

    private ScriptExpression ParseExpression()
    {
        Enter();
        try
        {
            return ParseConditional();
        }
        finally
        {
            _nesting--;
        }
    }

    /// <summary>One more level of parser recursion (a parenthesis, a function argument, a unary operator).</summary>
    private void Enter()
    {
        if (++_nesting > MaxExpressionDepth)
        {
            throw ScriptErrors.TooDeep(PeekE().Location, MaxExpressionDepth);
        }
    }

    /// <summary>A left-nested operator chain is deep without recursion here, but folding and printing recurse.</summary>
    private static T Bounded<T>(T e)
        where T : ScriptExpression =>
        e.Depth > MaxExpressionDepth ? throw ScriptErrors.TooDeep(e.Location, MaxExpressionDepth) : e;

    private ScriptToken PeekE() => Peek(St.Expression);

    private ScriptToken NextE() => Next(St.Expression);

    private ScriptExpression ParseConditional()
    {
        var cond = ParseBinary(0);
        var q = PeekE();
        if (!q.Is("?"))
        {
            return cond;
        }

        NextE();
        var a = ParseExpression(); // guarded: a ? b ? c ... recurses
        var colon = NextE();
        if (!colon.Is(":"))
        {
            throw ScriptErrors.Syntax(colon.Location, $"expected ':' in a conditional expression, found {colon.Describe()}");
        }

        var b = ParseExpression();
        return ExpressionEvaluator.ExpValueFold(Bounded(new E.Conditional(cond, a, b, q.Location)));
    }

    // Precedence from ldgram.y, lowest first.
    private static readonly string[][] Levels =
    [
        ["||"], ["&&"], ["|"], ["^"], ["&"], ["==", "!="], ["<", ">", "<=", ">="], ["<<", ">>"], ["+", "-"], ["*", "/", "%"],
    ];

    private ScriptExpression ParseBinary(int level)
    {
        if (level == Levels.Length)
        {
            return ParseUnary();
        }

        var left = ParseBinary(level + 1);
        while (true)
        {
            var t = PeekE();
            if (t.Kind != ScriptTokenKind.Punct || Array.IndexOf(Levels[level], t.Text) < 0)
            {
                return left;
            }

            NextE();
            var right = ParseBinary(level + 1);
            left = ExpressionEvaluator.ExpValueFold(Bounded(new E.Binary(t.Text, left, right, t.Location)));
        }
    }

    private ScriptExpression ParseUnary()
    {
        var t = PeekE();
        if (t.Kind == ScriptTokenKind.Punct && t.Text is "-" or "!" or "~" or "+")
        {
            NextE();
            Enter();
            try
            {
                var operand = ParseUnary();
                return t.Text == "+" ? operand : ExpressionEvaluator.ExpValueFold(new E.Unary(t.Text, operand, t.Location));
            }
            finally
            {
                _nesting--;
            }
        }

        return ParsePrimary();
    }

    private ScriptExpression ParsePrimary()
    {
        var t = NextE();
        switch (t.Kind)
        {
            case ScriptTokenKind.Number:
                return new E.Number(t.Value, t.Text, t.Location);
            case ScriptTokenKind.Name:
                return new E.Symbol(t.Text, t.Location);
            case ScriptTokenKind.Punct when t.Text == "(":
                var inner = ParseExpression();
                ExpectE(")", "to close the parenthesis");
                return inner;
            case ScriptTokenKind.Keyword:
                return ParseFunction(t);
            default:
                throw ScriptErrors.Syntax(t.Location, $"expected an expression, found {t.Describe()}");
        }
    }

    private void ExpectE(string punct, string context)
    {
        var t = NextE();
        if (!t.Is(punct))
        {
            throw ScriptErrors.Syntax(t.Location, $"expected '{punct}' {context}, found {t.Describe()}");
        }
    }

    private ScriptExpression ParseFunction(ScriptToken t)
    {
        switch (t.Text)
        {
            case "ALIGN":
            case "BLOCK":
            {
                ExpectE("(", $"after {t.Text}");
                var a = ParseExpression();
                var n = NextE();
                if (n.Is(")"))
                {
                    return new E.Unary("ALIGN", a, t.Location);
                }

                if (!n.Is(",") || t.Text == "BLOCK")
                {
                    throw ScriptErrors.Syntax(n.Location, $"expected ')' or ',' in {t.Text}, found {n.Describe()}");
                }

                var b = ParseExpression();
                ExpectE(")", "to close ALIGN");
                return new E.Binary("ALIGN", a, b, t.Location);
            }

            case "ABSOLUTE":
            case "NEXT":
            case "LOG2CEIL":
            {
                ExpectE("(", $"after {t.Text}");
                var a = ParseExpression();
                ExpectE(")", $"to close {t.Text}");
                return ExpressionEvaluator.ExpValueFold(new E.Unary(t.Text, a, t.Location));
            }

            case "MAX":
            case "MIN":
            {
                ExpectE("(", $"after {t.Text}");
                var a = ParseExpression();
                ExpectE(",", $"between the {t.Text} arguments");
                var b = ParseExpression();
                ExpectE(")", $"to close {t.Text}");
                return ExpressionEvaluator.ExpValueFold(new E.Binary(t.Text, a, b, t.Location));
            }

            case "ADDR":
            case "SIZEOF":
            case "ALIGNOF":
            case "LOADADDR":
            {
                // paren_script_name: the section name is lexed in the script state.
                Expect(St.Script, "(", $"after {t.Text}");
                var name = ExpectName(St.Script, $"in {t.Text}");
                Expect(St.Script, ")", $"to close {t.Text}");
                return new E.NameFunction(t.Text, name, t.Location);
            }

            case "DEFINED":
            case "CONSTANT":
            {
                ExpectE("(", $"after {t.Text}");
                var name = NextE();
                if (!name.IsName)
                {
                    throw ScriptErrors.Syntax(name.Location, $"expected a name in {t.Text}, found {name.Describe()}");
                }

                ExpectE(")", $"to close {t.Text}");
                if (t.Text == "CONSTANT" && name.Text is not ("MAXPAGESIZE" or "COMMONPAGESIZE"))
                {
                    throw ScriptErrors.Evaluation(name.Location, $"unknown constant `{name.Text}' referenced in expression");
                }

                return new E.NameFunction(t.Text, name.Text, t.Location);
            }

            case "ASSERT":
                throw ScriptErrors.Unsupported(t.Location, "ASSERT inside an expression", "write ASSERT as a statement");
            case "SIZEOF_HEADERS":
                throw ScriptErrors.Unsupported(t.Location, "SIZEOF_HEADERS", "a relocatable output has no program headers");
            case "ORIGIN":
            case "LENGTH":
                throw ScriptErrors.Unsupported(t.Location, t.Text, "memory regions do not apply to a relocatable link");
            case "DATA_SEGMENT_ALIGN":
            case "DATA_SEGMENT_RELRO_END":
            case "DATA_SEGMENT_END":
            case "SEGMENT_START":
                throw ScriptErrors.Unsupported(t.Location, t.Text, "segments do not apply to a relocatable link");
            default:
                throw ScriptErrors.Syntax(t.Location, $"expected an expression, found {t.Describe()}");
        }
    }
}
