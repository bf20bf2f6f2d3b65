using System.Globalization;
using System.Text;
using DynDbg.ElfSim.DynDbg;

namespace DynDbg.ElfSim.Tests.Control;

/// <summary>
/// Seeded, grammar-aware random writes for the differential tests: mostly well-formed queries built from the
/// images' own module, function, file and format strings (with wildcards, quotes, ranges and escapes mixed in),
/// and a steady share of damaged ones (bad ops and letters, odd words, unknown or repeated keywords, unclosed
/// quotes, too many words, NULs, Latin-1 blanks, over-long writes).
/// </summary>
public sealed class QueryFuzzer(int seed, IReadOnlyList<MainlineImage> images)
{
    private static readonly string[] Keywords = ["func", "file", "module", "format", "line", "class"];
    private static readonly string[] BadKeywords = ["fnuc", "File", "lines", "mod", "", "#", "format:"];
    private static readonly string[] Blanks = [" ", " ", " ", "  ", "\t", "\v", "\f", "\r", "\u00a0"];

    private readonly Random rng = new(seed);
    private readonly DdebugRecord[] records = images.SelectMany(i => i.Records).ToArray();
    private readonly string[] modules = images.SelectMany(i => i.Tables).Select(t => t.ModName).Distinct().ToArray();
    private readonly string[] classes = images.SelectMany(i => i.ClassMaps).SelectMany(c => c.ClassNames).Distinct().ToArray();

    public byte[] Next()
    {
        var roll = rng.Next(100);
        if (roll == 0)
        {
            return Encoding.ASCII.GetBytes(new string('+', 4094 + rng.Next(4)));
        }

        var queries = Enumerable.Range(0, 1 + (rng.Next(4) == 0 ? rng.Next(3) : 0)).Select(_ => Query()).ToArray();
        var sb = new StringBuilder();
        for (var i = 0; i < queries.Length; i++)
        {
            if (i > 0)
            {
                sb.Append(Pick([";", "\n", " ;", "; ", ";;", "\n#c\n"]));
            }

            sb.Append(queries[i]);
        }

        if (rng.Next(15) == 0)
        {
            sb.Append(Pick(["\n", ";", " # tail", "\0module x +p", " "]));
        }

        return Latin1Aware(sb.ToString());
    }

    private string Query()
    {
        var words = new List<string>();
        var pairs = rng.Next(4);
        var used = new List<string>();
        for (var i = 0; i < pairs; i++)
        {
            var kw = rng.Next(12) == 0 ? Pick(BadKeywords) : Pick(rng.Next(6) == 0 && used.Count > 0 ? used.ToArray() : Keywords);
            used.Add(kw);
            words.Add(kw);
            words.Add(Value(kw));
        }

        if (rng.Next(25) == 0)
        {
            words.Add(Value("func"));
        }

        if (rng.Next(30) == 0)
        {
            words.AddRange(Enumerable.Repeat("x", 8));
        }

        words.Add(Flags());
        var sb = new StringBuilder();
        if (rng.Next(8) == 0)
        {
            sb.Append(Pick(Blanks));
        }

        foreach (var w in words)
        {
            if (sb.Length > 0 && !char.IsWhiteSpace(sb[^1]) && sb[^1] != '\u00a0')
            {
                sb.Append(rng.Next(10) == 0 ? Pick(Blanks) + Pick(Blanks) : Pick(Blanks));
            }

            sb.Append(Quote(w));
        }

        return sb.ToString();
    }

    private string Value(string keyword)
    {
        var r = records.Length > 0 ? records[rng.Next(records.Length)] : null;
        return keyword switch
        {
            "func" => Wild(r?.Function ?? "f"),
            "module" => Wild(modules.Length > 0 ? Pick(modules) : "m"),
            "file" => File(r),
            "format" => Format(r?.Format ?? "fmt"),
            "line" => Lines(r?.LineNo ?? 1),
            "class" => classes.Length > 0 && rng.Next(3) > 0 ? Pick(classes) : Pick(["NOPE", "DELTA", "", "drm"]),
            _ => Wild(r?.Function ?? "v"),
        };
    }

    private string File(DdebugRecord? r)
    {
        var path = r?.Filename ?? "a.c";
        var name = rng.Next(3) switch
        {
            0 => path,
            1 => path[(path.LastIndexOf('/') + 1)..],
            _ => Wild(path),
        };
        return rng.Next(4) switch
        {
            0 => $"{name}:{Wild(r?.Function ?? "f")}",
            1 => $"{name}:{Lines(r?.LineNo ?? 1)}",
            _ => name,
        };
    }

    private string Format(string format)
    {
        if (format.Length == 0)
        {
            return "";
        }

        var start = rng.Next(format.Length);
        var piece = format.Substring(start, Math.Min(format.Length - start, 1 + rng.Next(12)));
        var escaped = new StringBuilder(rng.Next(4) == 0 ? "^" : "");
        foreach (var c in piece)
        {
            escaped.Append(c switch
            {
                '\n' => Pick(["\\n", "\\012", "\\12"]),
                '\t' => Pick(["\\t", "\\011", "\\11", "\\x09"]),
                '"' => Pick(["\\\"", "\\042"]),
                '\\' => "\\\\",
                ' ' => rng.Next(3) == 0 ? "\\040" : " ",
                _ => c.ToString(),
            });
        }

        if (rng.Next(12) == 0)
        {
            escaped.Append(Pick(["\\0", "\\777", "\\", "\\e", "\\a", "\\q", "\\x4"]));
        }

        return escaped.ToString();
    }

    private string Lines(uint line)
    {
        var n = line.ToString(CultureInfo.InvariantCulture);
        var m = (line + (uint)rng.Next(50)).ToString(CultureInfo.InvariantCulture);
        return rng.Next(14) switch
        {
            0 => $"-{m}",
            1 => $"{n}-",
            2 => "-",
            3 => $"{m}-{n}",
            4 => Pick(["abc", "+7", "1x", "0", "0-0", "4294967295", "4294967296", "99999999999999999999", "", "5-6-7"]),
            5 or 6 or 7 => $"{n}-{m}",
            _ => n,
        };
    }

    private string Wild(string s)
    {
        if (s.Length == 0 || rng.Next(3) == 0)
        {
            return s;
        }

        var chars = s.ToCharArray().ToList();
        var edits = 1 + rng.Next(3);
        for (var i = 0; i < edits && chars.Count > 0; i++)
        {
            var at = rng.Next(chars.Count);
            switch (rng.Next(6))
            {
                case 0: chars[at] = '?'; break;
                case 1: chars.Insert(at, '*'); break;
                case 2: chars.RemoveRange(at, chars.Count - at); chars.Add('*'); break;
                case 3: chars.RemoveRange(0, at); chars.Insert(0, '*'); break;
                case 4: chars[at] = 'z'; break;
                default: chars.Add('*'); chars.Add('*'); break;
            }
        }

        return new string(chars.ToArray());
    }

    private string Flags()
    {
        var op = rng.Next(20) switch
        {
            0 => "",
            1 => Pick(["!", "p", "x", "*", "\"", "\u00e9"]),
            _ => Pick(["+", "-", "="]),
        };
        var letters = new StringBuilder();
        var n = rng.Next(4);
        for (var i = 0; i < n; i++)
        {
            letters.Append(rng.Next(15) == 0 ? Pick(["s", "D", "x", "P", "+"]) : Pick(["p", "m", "f", "l", "t", "_"]));
        }

        return op + letters;
    }

    private string Quote(string word)
    {
        var q = rng.Next(10);
        return q switch
        {
            0 => $"\"{word}\"",
            1 => $"'{word}'",
            2 when rng.Next(4) == 0 => $"\"{word}",
            _ when word.Length == 0 => "\"\"",
            _ => word,
        };
    }

    private string Pick(string[] choices) => choices[rng.Next(choices.Length)];

    /// <summary>U+00A0 becomes the single Latin-1 byte 0xA0 half the time (the kernel's ctype calls it a space).</summary>
    private byte[] Latin1Aware(string s)
    {
        var bytes = new List<byte>();
        foreach (var c in s)
        {
            if (c == '\u00a0' && rng.Next(2) == 0)
            {
                bytes.Add(0xa0);
            }
            else
            {
                bytes.AddRange(Encoding.UTF8.GetBytes(c.ToString()));
            }
        }

        return bytes.ToArray();
    }
}
