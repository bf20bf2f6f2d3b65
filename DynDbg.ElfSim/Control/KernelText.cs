namespace DynDbg.ElfSim.Control;

/// <summary>
/// Byte-exact ports of the 6.1 string helpers the control file uses: <c>match_wildcard</c> (lib/parser.c),
/// <c>strstr</c>, <c>kbasename</c>, <c>string_unescape</c> (lib/string_helpers.c) and <c>kstrtouint</c>
/// (lib/kstrtox.c). Strings are C strings: a span ends at its first NUL, as the kernel's pointer would.
/// </summary>
public static class KernelText
{
    /// <summary><c>UNESCAPE_SPACE</c>: \f \n \r \t \v.</summary>
    public const int UnescapeSpace = 1 << 0;

    /// <summary><c>UNESCAPE_OCTAL</c>: \NNN, 1 to 3 digits.</summary>
    public const int UnescapeOctal = 1 << 1;

    /// <summary><c>UNESCAPE_HEX</c>: \xHH, 1 to 2 digits.</summary>
    public const int UnescapeHex = 1 << 2;

    /// <summary><c>UNESCAPE_SPECIAL</c>: \" \\ \a \e.</summary>
    public const int UnescapeSpecial = 1 << 3;

    /// <summary>The bytes of a C string: up to (not including) the first NUL.</summary>
    public static ReadOnlySpan<byte> CString(ReadOnlySpan<byte> s)
    {
        var nul = s.IndexOf((byte)0);
        return nul < 0 ? s : s[..nul];
    }

    /// <summary>
    /// <c>match_wildcard</c>: '*' matches zero or more bytes, '?' exactly one. Ported statement by statement,
    /// quirks included: only one trailing '*' is skipped once the string is used up, so "ab**" does not match "ab".
    /// </summary>
    public static bool MatchWildcard(ReadOnlySpan<byte> pattern, ReadOnlySpan<byte> str)
    {
        pattern = CString(pattern);
        str = CString(str);
        int s = 0, p = 0, strAt = 0, patternAt = 0;
        var star = false;
        while (s < str.Length)
        {
            var pc = p < pattern.Length ? pattern[p] : (byte)0;
            switch (pc)
            {
                case (byte)'?':
                    s++;
                    p++;
                    break;
                case (byte)'*':
                    star = true;
                    strAt = s;
                    if (++p >= pattern.Length)
                    {
                        return true;
                    }

                    patternAt = p;
                    break;
                default:
                    if (str[s] == pc)
                    {
                        s++;
                        p++;
                    }
                    else
                    {
                        if (!star)
                        {
                            return false;
                        }

                        strAt++;
                        s = strAt;
                        p = patternAt;
                    }

                    break;
            }
        }

        if (p < pattern.Length && pattern[p] == '*')
        {
            ++p;
        }

        return p >= pattern.Length;
    }

    /// <summary><c>strstr</c>: index of the first occurrence of <paramref name="needle"/>, 0 for an empty one, -1 if none.</summary>
    public static int StrStr(ReadOnlySpan<byte> haystack, ReadOnlySpan<byte> needle) =>
        CString(haystack).IndexOf(CString(needle));

    /// <summary><c>kbasename</c>: what follows the last '/'.</summary>
    public static ReadOnlySpan<byte> Basename(ReadOnlySpan<byte> path)
    {
        var slash = path.LastIndexOf((byte)'/');
        return slash < 0 ? path : path[(slash + 1)..];
    }

    /// <summary>
    /// <c>string_unescape_inplace(buf, flags)</c>: rewrites the C string in <paramref name="buf"/> and returns its
    /// new length (a NUL is written after it). An escape the flags do not cover keeps its backslash. An octal
    /// escape stops after 3 digits or once the value reaches 32 (<c>u8 num; while (num &lt; 32 …)</c>), so
    /// "\777" is '?' followed by '7'; "\0" yields a NUL, which ends the string for every later use.
    /// </summary>
    public static int UnescapeInPlace(byte[] buf, int flags)
    {
        var len = CString(buf).Length;
        int src = 0, dst = 0;
        byte At(int i) => i < len ? buf[i] : (byte)0;
        while (src < len)
        {
            if (buf[src] == '\\' && At(src + 1) != 0)
            {
                src++;
                if ((flags & UnescapeSpace) != 0 && Space(At(src)) is { } sp)
                {
                    buf[dst++] = sp;
                    src++;
                    continue;
                }

                if ((flags & UnescapeOctal) != 0 && KernelCType.IsOctalDigit(At(src)))
                {
                    var start = src;
                    var num = (byte)(At(src++) & 7);
                    while (num < 32 && KernelCType.IsOctalDigit(At(src)) && src - start < 3)
                    {
                        num = (byte)((num << 3) + (At(src++) & 7));
                    }

                    buf[dst++] = num;
                    continue;
                }

                if ((flags & UnescapeHex) != 0 && At(src) == 'x' && HexValue(At(src + 1)) is { } hi)
                {
                    src += 2;
                    var num = (byte)hi;
                    if (HexValue(At(src)) is { } lo)
                    {
                        src++;
                        num = (byte)((num << 4) | lo);
                    }

                    buf[dst++] = num;
                    continue;
                }

                if ((flags & UnescapeSpecial) != 0 && Special(At(src)) is { } spc)
                {
                    buf[dst++] = spc;
                    src++;
                    continue;
                }

                buf[dst++] = (byte)'\\';
            }

            buf[dst++] = buf[src++];
        }

        if (dst < buf.Length)
        {
            buf[dst] = 0;
        }

        return dst;
    }

    /// <summary>
    /// <c>kstrtouint(s, 10, &amp;v)</c>: an optional '+', decimal digits, an optional trailing "\n", nothing else.
    /// Returns 0, <c>-EINVAL</c> or <c>-ERANGE</c> (more than 32 bits).
    /// </summary>
    public static int KStrToUInt(ReadOnlySpan<byte> s, out uint value)
    {
        value = 0;
        s = CString(s);
        var i = 0;
        if (i < s.Length && s[i] == '+')
        {
            i++;
        }

        ulong res = 0;
        var digits = 0;
        var overflow = false;
        for (; i < s.Length && s[i] is >= (byte)'0' and <= (byte)'9'; i++, digits++)
        {
            var v = (ulong)(s[i] - '0');
            if (res > (ulong.MaxValue - v) / 10)
            {
                overflow = true;
            }

            res = unchecked((res * 10) + v);
        }

        if (overflow)
        {
            return -Errno.ERANGE;
        }

        if (digits == 0)
        {
            return -Errno.EINVAL;
        }

        if (i < s.Length && s[i] == '\n')
        {
            i++;
        }

        if (i < s.Length)
        {
            return -Errno.EINVAL;
        }

        if (res > uint.MaxValue)
        {
            return -Errno.ERANGE;
        }

        value = (uint)res;
        return 0;
    }

    private static byte? Space(byte c) => c switch
    {
        (byte)'n' => (byte)'\n',
        (byte)'r' => (byte)'\r',
        (byte)'t' => (byte)'\t',
        (byte)'v' => 0x0b,
        (byte)'f' => 0x0c,
        _ => null,
    };

    private static byte? Special(byte c) => c switch
    {
        (byte)'"' => (byte)'"',
        (byte)'\\' => (byte)'\\',
        (byte)'a' => 0x07,
        (byte)'e' => 0x1b,
        _ => null,
    };

    private static int? HexValue(byte c) => c switch
    {
        >= (byte)'0' and <= (byte)'9' => c - '0',
        >= (byte)'a' and <= (byte)'f' => c - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => c - 'A' + 10,
        _ => null,
    };
}
