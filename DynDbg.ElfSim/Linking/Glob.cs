namespace DynDbg.ElfSim.Linking;

/// <summary>
/// Shell-style matching as GNU ld does it with glibc's <c>fnmatch(pattern, name, 0)</c>: <c>*</c> and <c>?</c>
/// match any characters (<c>/</c> included), <c>[a-z]</c>, <c>[!x]</c>/<c>[^x]</c> and <c>[[:digit:]]</c> match one,
/// a backslash quotes the next character, and a <c>[</c> without its <c>]</c> is an ordinary character.
/// </summary>
public static class Glob
{
    public static bool HasWildcards(string pattern) => pattern.AsSpan().IndexOfAny("*?[") >= 0;

    public static bool Matches(string pattern, string name) => Match(pattern, 0, name, 0);

    private static bool Match(string p, int pi, string n, int ni)
    {
        while (pi < p.Length)
        {
            var c = p[pi];
            switch (c)
            {
                case '?':
                    if (ni >= n.Length)
                    {
                        return false;
                    }

                    pi++;
                    ni++;
                    break;
                case '*':
                    while (pi < p.Length && p[pi] == '*')
                    {
                        pi++;
                    }

                    if (pi == p.Length)
                    {
                        return true;
                    }

                    for (var k = ni; k <= n.Length; k++)
                    {
                        if (Match(p, pi, n, k))
                        {
                            return true;
                        }
                    }

                    return false;
                case '[':
                    var end = BracketEnd(p, pi);
                    if (end < 0)
                    {
                        goto default;
                    }

                    if (ni >= n.Length || !BracketMatches(p, pi + 1, end, n[ni]))
                    {
                        return false;
                    }

                    pi = end + 1;
                    ni++;
                    break;
                case '\\' when pi + 1 < p.Length:
                    if (ni >= n.Length || n[ni] != p[pi + 1])
                    {
                        return false;
                    }

                    pi += 2;
                    ni++;
                    break;
                default:
                    if (ni >= n.Length || n[ni] != c)
                    {
                        return false;
                    }

                    pi++;
                    ni++;
                    break;
            }
        }

        return ni == n.Length;
    }

    /// <summary>Index of the <c>]</c> that closes the bracket at <paramref name="open"/>, or -1.</summary>
    private static int BracketEnd(string p, int open)
    {
        var i = open + 1;
        if (i < p.Length && p[i] is '!' or '^')
        {
            i++;
        }

        if (i < p.Length && p[i] == ']')
        {
            i++;
        }

        while (i < p.Length && p[i] != ']')
        {
            if (p[i] == '[' && i + 1 < p.Length && p[i + 1] == ':')
            {
                var close = p.IndexOf(":]", i + 2, StringComparison.Ordinal);
                if (close > 0)
                {
                    i = close + 2;
                    continue;
                }
            }

            i += p[i] == '\\' && i + 1 < p.Length ? 2 : 1;
        }

        return i < p.Length ? i : -1;
    }

    private static bool BracketMatches(string p, int start, int end, char ch)
    {
        var negate = p[start] is '!' or '^';
        var i = negate ? start + 1 : start;
        var first = true;
        var matched = false;
        while (i < end)
        {
            if (p[i] == '[' && i + 1 < end && p[i + 1] == ':')
            {
                var close = p.IndexOf(":]", i + 2, StringComparison.Ordinal);
                if (close > 0 && close < end)
                {
                    matched |= ClassMatches(p[(i + 2)..close], ch);
                    i = close + 2;
                    first = false;
                    continue;
                }
            }

            var lo = p[i];
            if (lo == '\\' && i + 1 < end)
            {
                lo = p[++i];
            }
            else if (lo == ']' && !first)
            {
                break;
            }

            i++;
            var hi = lo;
            if (i + 1 < end && p[i] == '-')
            {
                hi = p[i + 1];
                if (hi == '\\' && i + 2 < end)
                {
                    hi = p[i + 2];
                    i++;
                }

                i += 2;
            }

            matched |= ch >= lo && ch <= hi;
            first = false;
        }

        return matched != negate;
    }

    private static bool ClassMatches(string cls, char ch) => cls switch
    {
        "alpha" => char.IsAsciiLetter(ch),
        "digit" => char.IsAsciiDigit(ch),
        "alnum" => char.IsAsciiLetterOrDigit(ch),
        "upper" => char.IsAsciiLetterUpper(ch),
        "lower" => char.IsAsciiLetterLower(ch),
        "xdigit" => char.IsAsciiHexDigit(ch),
        "space" => ch is ' ' or '\t' or '\n' or '\r' or '\f' or '\v',
        "punct" => ch is > ' ' and < (char)127 && !char.IsAsciiLetterOrDigit(ch),
        _ => false,
    };
}
