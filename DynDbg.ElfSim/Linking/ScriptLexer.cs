using System.Globalization;

namespace DynDbg.ElfSim.Linking;

/// <summary>
/// The linker-script lexer, state for state the one of GNU ld 2.40 (ld/ldlex.l): which characters make a name,
/// which words are keywords and which operators exist depend on the state the parser asks for, and the longest
/// match wins (so <c>KEEP</c> is a keyword in an input-section list but <c>KEEPER</c> is a name). Comments
/// (<c>/* */</c> and <c>#</c> to end of line) and quoted names work in every state.
/// </summary>
internal sealed class ScriptLexer
{
    private static readonly HashSet<string> ScriptKeywords =
    [
        "MEMORY", "REGION_ALIAS", "LD_FEATURE", "ORIGIN", "VERSION", "BLOCK", "BIND", "LENGTH", "ALIGN",
        "DATA_SEGMENT_ALIGN", "DATA_SEGMENT_RELRO_END", "DATA_SEGMENT_END", "ADDR", "LOADADDR", "ALIGNOF", "ABSOLUTE",
        "MAX", "MIN", "LOG2CEIL", "ASSERT", "ENTRY", "EXTERN", "NEXT", "SIZEOF_HEADERS", "SEGMENT_START", "MAP",
        "SIZEOF", "TARGET", "SEARCH_DIR", "OUTPUT", "INPUT", "GROUP", "DEFINED", "FORCE_COMMON_ALLOCATION",
        "FORCE_GROUP_ALLOCATION", "INHIBIT_COMMON_ALLOCATION", "SECTIONS", "INSERT", "AFTER", "BEFORE", "STARTUP",
        "OUTPUT_FORMAT", "OUTPUT_ARCH", "HLL", "SYSLIB", "FLOAT", "NOFLOAT", "NOCROSSREFS", "NOCROSSREFS_TO",
        "OVERLAY", "ONLY_IF_RO", "ONLY_IF_RW", "SPECIAL", "o", "org", "l", "len", "INCLUDE", "PHDRS", "AT",
        "ALIGN_WITH_INPUT", "SUBALIGN", "HIDDEN", "PROVIDE", "PROVIDE_HIDDEN", "CONSTANT",
    ];

    private static readonly HashSet<string> ExpressionKeywords =
    [
        "ORIGIN", "BLOCK", "BIND", "LENGTH", "ALIGN", "DATA_SEGMENT_ALIGN", "DATA_SEGMENT_RELRO_END",
        "DATA_SEGMENT_END", "ADDR", "LOADADDR", "ALIGNOF", "ABSOLUTE", "MAX", "MIN", "LOG2CEIL", "ASSERT", "NEXT",
        "SIZEOF_HEADERS", "SEGMENT_START", "SIZEOF", "DEFINED", "NOCROSSREFS", "NOCROSSREFS_TO", "OVERLAY", "NOLOAD",
        "READONLY", "DSECT", "COPY", "INFO", "TYPE", "ONLY_IF_RO", "ONLY_IF_RW", "SPECIAL", "INCLUDE", "AT",
        "ALIGN_WITH_INPUT", "SUBALIGN", "HIDDEN", "PROVIDE", "PROVIDE_HIDDEN", "CONSTANT",
    ];

    private static readonly HashSet<string> WildKeywords =
    [
        "ASSERT", "CREATE_OBJECT_SYMBOLS", "CONSTRUCTORS", "FILL", "QUAD", "SQUAD", "LONG", "SHORT", "BYTE",
        "SORT_BY_NAME", "SORT_BY_ALIGNMENT", "SORT", "SORT_BY_INIT_PRIORITY", "SORT_NONE", "INPUT_SECTION_FLAGS",
        "INCLUDE", "AT", "HIDDEN", "PROVIDE", "PROVIDE_HIDDEN", "KEEP", "EXCLUDE_FILE",
    ];

    // Operators by state, longest first (ldlex.l lines 219-256).
    private static readonly string[] ScriptOps = ["<<=", ">>=", "+=", "-=", "*=", "/=", "&=", "|=", ">", ",", "~", "!", "+", "-", "=", "}", "{", ")", "(", ":", ";"];
    private static readonly string[] ExpressionOps =
    [
        "<<=", ">>=", "||", "==", "!=", ">=", "<=", "<<", ">>", "+=", "-=", "*=", "/=", "&=", "|=", "&&", ">", ",",
        "&", "|", "~", "!", "?", "*", "/", "%", "<", "+", "-", "=", "}", "{", ")", "(", ":", ";",
    ];

    private static readonly string[] WildOps = ["<<=", ">>=", "+=", "-=", "*=", "/=", "&=", "|=", "&", "=", "}", "{", ")", "(", ";"];

    private readonly string _text;
    private readonly string _file;
    private int _pos;
    private int _line = 1;
    private int _lineStart;
    private (int Pos, ScriptLexerState State, ScriptToken Token, int End, int Line, int LineStart)? _peeked;

    public ScriptLexer(string file, string text)
    {
        _file = file;
        _text = text;
    }

    public string File => _file;

    public ScriptToken Peek(ScriptLexerState state)
    {
        if (_peeked is { } p && p.Pos == _pos && p.State == state)
        {
            return p.Token;
        }

        var (savePos, saveLine, saveStart) = (_pos, _line, _lineStart);
        var token = Scan(state);
        _peeked = (savePos, state, token, _pos, _line, _lineStart);
        (_pos, _line, _lineStart) = (savePos, saveLine, saveStart);
        return token;
    }

    public ScriptToken Next(ScriptLexerState state)
    {
        var token = Peek(state);
        var p = _peeked!.Value;
        (_pos, _line, _lineStart) = (p.End, p.Line, p.LineStart);
        _peeked = null;
        return token;
    }

    private ScriptLocation Here => new(_file, _line, _pos - _lineStart + 1);

    private ScriptToken Scan(ScriptLexerState state)
    {
        SkipTrivia();
        var at = Here;
        if (_pos >= _text.Length)
        {
            return new ScriptToken(ScriptTokenKind.End, "", at);
        }

        var c = _text[_pos];
        if (c == '"')
        {
            var close = _text.IndexOf('"', _pos + 1);
            if (close < 0)
            {
                throw ScriptErrors.Syntax(at, "unterminated quoted name");
            }

            var inner = _text[(_pos + 1)..close];
            Advance(close + 1 - _pos);
            return new ScriptToken(ScriptTokenKind.Name, inner, at, Quoted: true);
        }

        // The longest of: a number, a name of this state, an operator of this state.
        var numberLength = state == ScriptLexerState.Wild ? 0 : NumberLength(state, out var value);
        var nameLength = NameLength(state);
        var op = Operator(state);
        var best = Math.Max(numberLength, Math.Max(nameLength, op?.Length ?? 0));
        if (best == 0)
        {
            throw ScriptErrors.Syntax(at, $"unexpected character '{c}'");
        }

        // Ties go to the rule listed first in ldlex.l: operators, then keywords and numbers, then names.
        if (op is not null && op.Length == best)
        {
            Advance(op.Length);
            return new ScriptToken(ScriptTokenKind.Punct, op, at);
        }

        if (numberLength == best)
        {
            var text = _text.Substring(_pos, numberLength);
            NumberLength(state, out value);
            Advance(numberLength);
            return new ScriptToken(ScriptTokenKind.Number, text, at, value);
        }

        var name = _text.Substring(_pos, nameLength);
        if (state == ScriptLexerState.Wild && name.StartsWith("/*", StringComparison.Ordinal))
        {
            // ldlex.l: a wildcard run that opens a comment is a comment.
            Advance(2);
            SkipComment(at);
            return Scan(state);
        }

        Advance(nameLength);
        var keywords = state switch
        {
            ScriptLexerState.Script => ScriptKeywords,
            ScriptLexerState.Expression => ExpressionKeywords,
            _ => WildKeywords,
        };
        return new ScriptToken(keywords.Contains(name) ? ScriptTokenKind.Keyword : ScriptTokenKind.Name, name, at);
    }

    private void Advance(int n)
    {
        for (var i = 0; i < n; i++)
        {
            if (_text[_pos] == '\n')
            {
                _line++;
                _lineStart = _pos + 1;
            }

            _pos++;
        }
    }

    private void SkipTrivia()
    {
        while (_pos < _text.Length)
        {
            var c = _text[_pos];
            if (c is ' ' or '\t' or '\r' or '\n' or '\f' or '\v')
            {
                Advance(1);
            }
            else if (c == '/' && _pos + 1 < _text.Length && _text[_pos + 1] == '*')
            {
                var at = Here;
                Advance(2);
                SkipComment(at);
            }
            else if (c == '#')
            {
                while (_pos < _text.Length && _text[_pos] != '\n')
                {
                    _pos++;
                }
            }
            else
            {
                return;
            }
        }
    }

    private void SkipComment(ScriptLocation start)
    {
        var end = _text.IndexOf("*/", _pos, StringComparison.Ordinal);
        if (end < 0)
        {
            throw ScriptErrors.Syntax(start, "unterminated comment");
        }

        Advance(end + 2 - _pos);
    }

    private static bool IsWildChar(char c) => char.IsAsciiLetterOrDigit(c) || "_/.\\$~-+:[],=?*^!".Contains(c);

    private static bool IsFileNameChar(char c) => char.IsAsciiLetterOrDigit(c) || "_/.\\$~-+:[],=".Contains(c);

    private static bool IsFileNameStart(char c) => char.IsAsciiLetter(c) || "_/.\\$~".Contains(c);

    private static bool IsSymbolChar(char c) => char.IsAsciiLetterOrDigit(c) || "_/.\\$~".Contains(c);

    private static bool IsSymbolStart(char c) => char.IsAsciiLetter(c) || "_.\\$".Contains(c);

    private int NameLength(ScriptLexerState state)
    {
        var i = _pos;
        switch (state)
        {
            case ScriptLexerState.Wild:
                while (i < _text.Length && IsWildChar(_text[i]))
                {
                    i++;
                }

                var run = i - _pos;
                // A lone '[' or ']' is its own token in ld's WILD state; nothing here uses it, so refuse it.
                return run == 1 && _text[_pos] is '[' or ']' ? 0 : run;
            case ScriptLexerState.Script:
                if (!IsFileNameStart(_text[i]))
                {
                    return 0;
                }

                i++;
                while (i < _text.Length && IsFileNameChar(_text[i]))
                {
                    i++;
                }

                return i - _pos;
            default:
                if (string.CompareOrdinal(_text, _pos, "/DISCARD/", 0, 9) == 0)
                {
                    return 9;
                }

                if (!IsSymbolStart(_text[i]))
                {
                    return 0;
                }

                i++;
                while (i < _text.Length && IsSymbolChar(_text[i]))
                {
                    i++;
                }

                return i - _pos;
        }
    }

    private string? Operator(ScriptLexerState state)
    {
        var ops = state switch
        {
            ScriptLexerState.Script => ScriptOps,
            ScriptLexerState.Expression => ExpressionOps,
            _ => WildOps,
        };
        foreach (var op in ops)
        {
            if (string.CompareOrdinal(_text, _pos, op, 0, op.Length) == 0)
            {
                return op;
            }
        }

        return null;
    }

    /// <summary>
    /// Length of a number at the cursor: <c>0x1f</c>, <c>$1f</c>, <c>010</c> (octal, strtoul's base 0), <c>42</c>,
    /// each with an optional K/M suffix; in expressions also <c>1fh</c>, <c>101b</c>, <c>17o</c>, <c>9d</c>.
    /// </summary>
    private int NumberLength(ScriptLexerState state, out ulong value)
    {
        value = 0;
        var t = _text;
        var p = _pos;
        var best = 0;

        // ((("$"|0[xX])([0-9A-Fa-f])+)|(([0-9])+))(M|K|m|k)?
        var i = p;
        var hexPrefix = 0;
        if (i < t.Length && t[i] == '$')
        {
            hexPrefix = 1;
        }
        else if (i + 1 < t.Length && t[i] == '0' && t[i + 1] is 'x' or 'X')
        {
            hexPrefix = 2;
        }

        if (hexPrefix > 0)
        {
            var j = i + hexPrefix;
            while (j < t.Length && char.IsAsciiHexDigit(t[j]))
            {
                j++;
            }

            if (j > i + hexPrefix)
            {
                i = j;
            }
        }

        if (i == p)
        {
            while (i < t.Length && char.IsAsciiDigit(t[i]))
            {
                i++;
            }
        }

        if (i > p)
        {
            var digits = t[p..i];
            var scale = 1UL;
            if (i < t.Length && t[i] is 'K' or 'k' or 'M' or 'm')
            {
                scale = t[i] is 'K' or 'k' ? 1024UL : 1024UL * 1024;
                i++;
            }

            best = i - p;
            value = unchecked(StrToUl(digits) * scale);
        }

        if (state == ScriptLexerState.Expression)
        {
            // ([0-9A-Fa-f])+(H|h|X|x|B|b|O|o|D|d), longest match: the suffix may itself be a hex digit (b, d).
            var j = p;
            while (j < t.Length && char.IsAsciiHexDigit(t[j]))
            {
                j++;
            }

            var end = -1;
            if (j > p && j < t.Length && "HhXxOo".Contains(t[j]))
            {
                end = j + 1;
            }
            else
            {
                for (var e = j; e > p + 1; e--)
                {
                    if ("BbDd".Contains(t[e - 1]))
                    {
                        end = e;
                        break;
                    }
                }
            }

            if (end > 0 && end - p > best)
            {
                var radix = char.ToLowerInvariant(t[end - 1]) switch { 'h' or 'x' => 16, 'o' => 8, 'b' => 2, _ => 10 };
                value = ParsePrefix(t[p..(end - 1)], radix);
                best = end - p;
            }
        }

        return best;
    }

    /// <summary>strtoul(s, NULL, 0) as bfd_scan_vma uses it: 0x hex, leading 0 octal, else decimal; stops at the
    /// first digit that does not belong (so ld reads "08" as 0).</summary>
    private static ulong StrToUl(string s)
    {
        if (s.StartsWith('$'))
        {
            return ParsePrefix(s[1..], 16);
        }

        if (s.Length > 2 && s[0] == '0' && s[1] is 'x' or 'X')
        {
            return ParsePrefix(s[2..], 16);
        }

        return s.Length > 1 && s[0] == '0' ? ParsePrefix(s[1..], 8) : ParsePrefix(s, 10);
    }

    /// <summary>The leading digits of <paramref name="s"/> in <paramref name="radix"/>, saturating at 2^64-1 like
    /// strtoul (ld 2.40 gives <c>x = 0x1ffffffffffffffffffff;</c> the value ffffffffffffffff).</summary>
    private static ulong ParsePrefix(string s, int radix)
    {
        ulong v = 0;
        foreach (var ch in s)
        {
            var d = char.IsAsciiDigit(ch) ? ch - '0' : char.IsAsciiLetter(ch) ? char.ToLowerInvariant(ch) - 'a' + 10 : 99;
            if (d >= radix)
            {
                break;
            }

            if (v > (ulong.MaxValue - (ulong)d) / (ulong)radix)
            {
                return ulong.MaxValue;
            }

            v = (v * (ulong)radix) + (ulong)d;
        }

        return v;
    }

    public static string Invariant(ulong v) => v.ToString(CultureInfo.InvariantCulture);
}
