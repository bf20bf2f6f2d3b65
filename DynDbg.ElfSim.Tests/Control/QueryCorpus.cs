using System.Globalization;
using System.Text;

namespace DynDbg.ElfSim.Tests.Control;

/// <summary>
/// Writes from a corpus file: one write a line, "## " lines are comments, and C escapes (\n \t \r \v \f \\ \0
/// \xHH) stand for bytes a line cannot hold, so multi-query writes, NULs and Latin-1 blanks can be written.
/// </summary>
public static class QueryCorpus
{
    public static string PathOf(string name) => System.IO.Path.Combine(TestPaths.Root, "DynDbg.ElfSim.Tests", "Control", "Corpus", name);

    public static IReadOnlyList<byte[]> Load(string name) =>
        File.ReadLines(PathOf(name)).Where(l => l.Length > 0 && !l.StartsWith("## ", StringComparison.Ordinal)).Select(Decode).ToArray();

    public static byte[] Decode(string line)
    {
        var bytes = new List<byte>();
        var utf8 = Encoding.UTF8;
        for (var i = 0; i < line.Length; i++)
        {
            if (line[i] != '\\' || i + 1 >= line.Length)
            {
                bytes.AddRange(utf8.GetBytes(line[i].ToString()));
                continue;
            }

            var c = line[++i];
            switch (c)
            {
                case 'n': bytes.Add((byte)'\n'); break;
                case 't': bytes.Add((byte)'\t'); break;
                case 'r': bytes.Add((byte)'\r'); break;
                case 'v': bytes.Add(0x0b); break;
                case 'f': bytes.Add(0x0c); break;
                case '0': bytes.Add(0); break;
                case '\\': bytes.Add((byte)'\\'); break;
                case 'x':
                    bytes.Add(byte.Parse(line.AsSpan(i + 1, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
                    i += 2;
                    break;
                default:
                    // Not a corpus escape: the backslash is part of the write (format escapes for the kernel).
                    bytes.Add((byte)'\\');
                    bytes.AddRange(utf8.GetBytes(c.ToString()));
                    break;
            }
        }

        return bytes.ToArray();
    }
}
