using System.Text;

namespace DynDbg.ElfSim.Control;

/// <summary>
/// The parsing half of 6.1 <c>ddebug_exec_query</c>: <c>ddebug_tokenize</c>, <c>ddebug_parse_flags</c> and
/// <c>ddebug_parse_query</c> with <c>parse_linerange</c>/<c>check_set</c>, in the kernel's order, with its log
/// messages and return codes (reference §3.3; invariants 30, 31). Words are byte strings: the parser sees exactly
/// the bytes written to the control file.
/// </summary>
public static class QueryParser
{
    /// <summary><c>MAXWORDS</c>.</summary>
    public const int MaxWords = 9;

    /// <summary>
    /// <c>ddebug_tokenize</c>: white-space separated words, or <c>"…"</c>/<c>'…'</c> words without escapes; a word
    /// starting with <c>#</c> ends the line. Returns the number of words or <c>-EINVAL</c>.
    /// </summary>
    public static int Tokenize(ReadOnlySpan<byte> query, List<byte[]> words, KernelLog log)
    {
        query = KernelText.CString(query);
        var pos = 0;
        while (pos < query.Length)
        {
            while (pos < query.Length && KernelCType.IsSpace(query[pos]))
            {
                pos++;
            }

            if (pos >= query.Length || query[pos] == '#')
            {
                break;
            }

            int start, end;
            if (query[pos] is (byte)'"' or (byte)'\'')
            {
                var quote = query[pos++];
                start = end = pos;
                while (end < query.Length && query[end] != quote)
                {
                    end++;
                }

                if (end >= query.Length)
                {
                    log.Err($"unclosed quote: {KernelLog.Str(query[start..])}");
                    return -Errno.EINVAL;
                }
            }
            else
            {
                // The kernel's "parse err after word" branch (end == buf) cannot be reached: pos is on a byte that
                // is neither NUL nor space, so the word has at least one byte.
                start = end = pos;
                while (end < query.Length && !KernelCType.IsSpace(query[end]))
                {
                    end++;
                }
            }

            if (words.Count == MaxWords)
            {
                log.Err($"too many words, legal max <={MaxWords}");
                return -Errno.EINVAL;
            }

            words.Add(query[start..end].ToArray());
            pos = end < query.Length ? end + 1 : end;
        }

        if (log.Verbose >= 3)
        {
            var sb = new StringBuilder("split into words:");
            foreach (var w in words)
            {
                sb.Append(" \"").Append(KernelLog.Str(w)).Append('"');
            }

            log.Info(3, sb.ToString);
        }

        return words.Count;
    }

    /// <summary>
    /// <c>ddebug_parse_flags</c>: an op <c>+ - =</c> then letters of <paramref name="letters"/>. <c>=</c> sets the
    /// flags (mask 0), <c>+</c> adds them (mask ~0), <c>-</c> clears them (mask ~flags, flags 0).
    /// </summary>
    public static int ParseFlags(ReadOnlySpan<byte> word, FlagLetters letters, KernelLog log, out FlagSettings settings)
    {
        settings = default;
        word = KernelText.CString(word);
        var op = word.Length > 0 ? word[0] : (byte)0;
        if (op is not ((byte)'+' or (byte)'-' or (byte)'='))
        {
            log.Err($"bad flag-op {KernelLog.Chr(op)}, at start of {KernelLog.Str(word)}");
            return -Errno.EINVAL;
        }

        log.Info(3, () => $"op='{(char)op}'");
        uint flags = 0;
        foreach (var c in word[1..])
        {
            if (!letters.TryLookup(c, out var bit))
            {
                log.Err($"unknown flag '{KernelLog.Chr(c)}'");
                return -Errno.EINVAL;
            }

            flags |= bit;
        }

        log.Info(3, () => $"flags=0x{flags:x}");
        settings = op switch
        {
            (byte)'=' => new FlagSettings(flags, 0),
            (byte)'+' => new FlagSettings(flags, ~0u),
            _ => new FlagSettings(0, ~flags),
        };
        var s = settings;
        log.Info(3, () => $"*flagsp=0x{s.Flags:x} *maskp=0x{s.Mask:x}");
        return 0;
    }

    /// <summary>
    /// <c>ddebug_parse_query</c>: keyword/value pairs, each keyword at most once. <paramref name="modname"/> is the
    /// module of a <c>$mod.dyndbg=</c> parameter; it applies when the query names no module.
    /// </summary>
    public static int ParseQuery(IReadOnlyList<byte[]> words, string? modname, KernelLog log, out ControlQuery query)
    {
        query = new ControlQuery();
        if (words.Count % 2 != 0)
        {
            log.Err("expecting pairs of match-spec <value>");
            return -Errno.EINVAL;
        }

        for (var i = 0; i < words.Count; i += 2)
        {
            var keyword = KernelText.CString(words[i]);
            var arg = words[i + 1];
            int rc;
            if (keyword.SequenceEqual("func"u8))
            {
                rc = CheckSet(query.Function, arg, "func", log);
                query = query with { Function = arg };
            }
            else if (keyword.SequenceEqual("file"u8))
            {
                if (CheckSet(query.Filename, arg, "file", log) != 0)
                {
                    return -Errno.EINVAL;
                }

                query = query with { Filename = arg };

                // "file X:tail": the tail is a function when it starts like a name, else a line range.
                var colon = Array.IndexOf(arg, (byte)':');
                if (colon < 0)
                {
                    continue;
                }

                var tail = arg[(colon + 1)..];
                query = query with { Filename = arg[..colon] };
                var first = tail.Length > 0 ? tail[0] : (byte)0;
                if (KernelCType.IsAlpha(first) || first is (byte)'*' or (byte)'?')
                {
                    if (CheckSet(query.Function, tail, "func", log) != 0)
                    {
                        return -Errno.EINVAL;
                    }

                    query = query with { Function = tail };
                }
                else if (ParseLineRange(ref query, tail, log) != 0)
                {
                    return -Errno.EINVAL;
                }

                continue;
            }
            else if (keyword.SequenceEqual("module"u8))
            {
                rc = CheckSet(query.Module, arg, "module", log);
                query = query with { Module = arg };
            }
            else if (keyword.SequenceEqual("format"u8))
            {
                var buf = (byte[])arg.Clone();
                var len = KernelText.UnescapeInPlace(buf, KernelText.UnescapeSpace | KernelText.UnescapeOctal | KernelText.UnescapeSpecial);
                var format = KernelText.CString(buf.AsSpan(0, len)).ToArray();
                rc = CheckSet(query.Format, format, "format", log);
                query = query with { Format = format };
            }
            else if (keyword.SequenceEqual("line"u8))
            {
                if (ParseLineRange(ref query, arg, log) != 0)
                {
                    return -Errno.EINVAL;
                }

                rc = 0;
            }
            else if (keyword.SequenceEqual("class"u8))
            {
                rc = CheckSet(query.ClassString, arg, "class", log);
                query = query with { ClassString = arg };
            }
            else
            {
                log.Err($"unknown keyword \"{KernelLog.Str(keyword)}\"");
                return -Errno.EINVAL;
            }

            if (rc != 0)
            {
                return rc;
            }
        }

        if (query.Module is null && modname is not null)
        {
            query = query with { Module = Encoding.UTF8.GetBytes(modname) };
        }

        LogQuery(log, query, "parsed");
        return 0;
    }

    /// <summary>
    /// <c>parse_linerange</c>: <c>N</c>, <c>N-M</c>, <c>-M</c>, <c>N-</c>; an empty end is 0 ("don't care"), an
    /// empty last is <c>UINT_MAX</c>. A second line spec, a bad number or a reversed range is <c>-EINVAL</c>.
    /// </summary>
    public static int ParseLineRange(ref ControlQuery query, ReadOnlySpan<byte> spec, KernelLog log)
    {
        spec = KernelText.CString(spec);
        if (query.FirstLineno != 0 || query.LastLineno != 0)
        {
            log.Err("match-spec: line used 2x");
            return -Errno.EINVAL;
        }

        var dash = spec.IndexOf((byte)'-');
        var firstSpec = dash < 0 ? spec : spec[..dash];
        if (ParseLineno(firstSpec, log, out var first) != 0)
        {
            return -Errno.EINVAL;
        }

        uint last;
        if (dash >= 0)
        {
            if (ParseLineno(spec[(dash + 1)..], log, out last) != 0)
            {
                return -Errno.EINVAL;
            }

            if (last == 0)
            {
                last = uint.MaxValue;
            }

            if (last < first)
            {
                // The kernel prints both with %d.
                log.Err($"last-line:{(int)last} < 1st-line:{(int)first}");
                return -Errno.EINVAL;
            }
        }
        else
        {
            last = first;
        }

        query = query with { FirstLineno = first, LastLineno = last };
        log.Info(3, () => $"parsed line {(int)first}-{(int)last}");
        return 0;
    }

    /// <summary><c>vpr_info_dq</c>: the v3 one-line summary of a query, trailing newlines of the format trimmed.</summary>
    public static void LogQuery(KernelLog log, ControlQuery q, string msg) =>
        log.Info(3, () =>
        {
            var format = KernelText.CString(q.Format ?? []);
            while (format.Length > 0 && format[^1] == '\n')
            {
                format = format[..^1];
            }

            return $"{msg}: func=\"{Str(q.Function)}\" file=\"{Str(q.Filename)}\" module=\"{Str(q.Module)}\" " +
                $"format=\"{KernelLog.Str(format)}\" lineno={q.FirstLineno}-{q.LastLineno} " +
                $"class={(q.ClassString is null ? "(null)" : KernelLog.Str(q.ClassString))}";
        });

    private static string Str(byte[]? s) => s is null ? "" : KernelLog.Str(s);

    /// <summary><c>parse_lineno</c>: the empty string is 0, otherwise <c>kstrtouint(str, 10)</c>.</summary>
    private static int ParseLineno(ReadOnlySpan<byte> s, KernelLog log, out uint value)
    {
        value = 0;
        if (s.Length == 0)
        {
            return 0;
        }

        if (KernelText.KStrToUInt(s, out value) < 0)
        {
            log.Err($"bad line-number: {KernelLog.Str(s)}");
            return -Errno.EINVAL;
        }

        return 0;
    }

    /// <summary><c>check_set</c>: a keyword given twice is <c>-EINVAL</c> (the new value is still stored).</summary>
    private static int CheckSet(byte[]? current, byte[] value, string name, KernelLog log)
    {
        if (current is null)
        {
            return 0;
        }

        log.Err($"match-spec:{name} val:{KernelLog.Str(current)} overridden by {KernelLog.Str(value)}");
        return -Errno.EINVAL;
    }
}
