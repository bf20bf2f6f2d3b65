using System.Text;

namespace DynDbg.ElfSim.Control;

/// <summary>
/// The kernel log as <c>lib/dynamic_debug.c</c> writes it: <c>pr_err</c>/<c>pr_warn</c> always, and the
/// <c>vNpr_info</c> messages when the <c>dynamic_debug.verbose</c> parameter is at least N (1 module add/remove,
/// 2 control summary, 3 parsing, 4 per-site changes). Every line carries the file's <c>pr_fmt</c>, "dyndbg: ".
/// </summary>
public sealed class KernelLog(int verbose)
{
    private const string PrFmt = "dyndbg: ";
    private readonly List<KernelLogLine> lines = [];

    public int Verbose { get; } = verbose;

    public IReadOnlyList<KernelLogLine> Lines => lines;

    public void Err(string text) => lines.Add(new KernelLogLine(KernelLogLevel.Err, PrFmt + text));

    public void Warn(string text) => lines.Add(new KernelLogLine(KernelLogLevel.Warning, PrFmt + text));

    /// <summary><c>vNpr_info</c>; <paramref name="text"/> is only built when the level is on.</summary>
    public void Info(int level, Func<string> text)
    {
        if (Verbose >= level)
        {
            lines.Add(new KernelLogLine(KernelLogLevel.Info, PrFmt + text()));
        }
    }

    /// <summary>Lines logged since <paramref name="mark"/> (a former <see cref="Lines"/> count).</summary>
    public IReadOnlyList<KernelLogLine> Since(int mark) => lines.Skip(mark).ToArray();

    /// <summary>
    /// <c>%s</c> of a C string as it reaches the log: the bytes up to the first NUL, read as UTF-8, with control
    /// bytes shown the way <c>/dev/kmsg</c> (hence <c>dmesg</c>) escapes them, <c>\xNN</c>.
    /// </summary>
    public static string Str(ReadOnlySpan<byte> s) => Escape(Encoding.UTF8.GetString(KernelText.CString(s)));

    /// <summary><c>%c</c> of one byte; a NUL (the flag-op of an empty word) or a lone non-ASCII byte prints as <c>\xNN</c>.</summary>
    public static string Chr(byte c) => c < 0x80 ? Escape(((char)c).ToString()) : $"\\x{c:x2}";

    private static string Escape(string s)
    {
        if (!s.Any(c => c < ' ' || c == '\x7f'))
        {
            return s;
        }

        var sb = new StringBuilder(s.Length + 8);
        foreach (var c in s)
        {
            sb.Append(c < ' ' || c == '\x7f' ? $"\\x{(int)c:x2}" : c.ToString());
        }

        return sb.ToString();
    }
}
