using System.Globalization;
using System.Text;

namespace DynDbg.ElfSim.Tests.RealKernel;

/// <summary>
/// scripts/qemu/queries.list read the way scripts/qemu/boot.sh turns it into writes (format in that file's
/// header): plain lines get a "\n", <c>%b</c> lines are printf-%b decoded, <c>%pad N</c> lines are space-padded
/// to N bytes. A second reading of the list, so that a capture is checked against the list it claims to replay.
/// </summary>
public static class QueryList
{
    public static string DefaultPath => Path.Combine(TestPaths.Root, "scripts", "qemu", "queries.list");

    public static IReadOnlyList<byte[]> Read(string path)
    {
        var writes = new List<byte[]>();
        foreach (var line in File.ReadAllLines(path))
        {
            if (string.IsNullOrWhiteSpace(line) || line.StartsWith('#'))
            {
                continue;
            }

            if (line.StartsWith("%b ", StringComparison.Ordinal))
            {
                writes.Add(Encoding.UTF8.GetBytes(PrintfB(line[3..])));
            }
            else if (line.StartsWith("%pad ", StringComparison.Ordinal))
            {
                var rest = line[5..];
                var width = int.Parse(rest[..rest.IndexOf(' ')], CultureInfo.InvariantCulture);
                var payload = rest[(rest.IndexOf(' ') + 1)..] + "\n";
                writes.Add(Encoding.UTF8.GetBytes(payload.PadLeft(width)));
            }
            else
            {
                writes.Add(Encoding.UTF8.GetBytes(line + "\n"));
            }
        }

        return writes;
    }

    /// <summary>bash printf %b: \n \t \r \\ \a \b \f \v \e and \0NNN; any other backslash stays.</summary>
    private static string PrintfB(string s)
    {
        var sb = new StringBuilder();
        for (var i = 0; i < s.Length; i++)
        {
            if (s[i] != '\\' || i + 1 == s.Length)
            {
                sb.Append(s[i]);
                continue;
            }

            var c = s[++i];
            switch (c)
            {
                case 'n': sb.Append('\n'); break;
                case 't': sb.Append('\t'); break;
                case 'r': sb.Append('\r'); break;
                case '\\': sb.Append('\\'); break;
                case 'a': sb.Append('\a'); break;
                case 'b': sb.Append('\b'); break;
                case 'f': sb.Append('\f'); break;
                case 'v': sb.Append('\v'); break;
                case 'e': sb.Append('\x1b'); break;
                case '0':
                    var n = 0;
                    var digits = 0;
                    while (digits < 3 && i + 1 < s.Length && s[i + 1] is >= '0' and <= '7')
                    {
                        n = (n * 8) + (s[++i] - '0');
                        digits++;
                    }

                    sb.Append((char)n);
                    break;
                default: sb.Append('\\').Append(c); break;
            }
        }

        return sb.ToString();
    }
}
