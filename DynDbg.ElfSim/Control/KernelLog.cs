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
    private readonly HashSet<string> warned = [];

    public int Verbose { get; } = verbose;

    public IReadOnlyList<KernelLogLine> Lines => lines;

    public void Err(string text) => lines.Add(new KernelLogLine(KernelLogLevel.Err, PrFmt + text));

    public void Warn(string text) => lines.Add(new KernelLogLine(KernelLogLevel.Warning, PrFmt + text));

    /// <summary>
    /// A <c>WARN_ON_ONCE</c> outside dynamic_debug.c (so without its pr_fmt), logged the first time only. The
    /// kernel adds a backtrace; the emulation keeps the one line naming the function and the condition.
    /// </summary>
    public void WarnOnce(string function, string condition)
    {
        if (warned.Add(function))
        {
            lines.Add(new KernelLogLine(KernelLogLevel.Warning, $"WARNING: kernel/jump_label.c: {function}: WARN_ON_ONCE({condition})"));
        }
    }

    /// <summary><c>vNpr_info</c>; <paramref name="text"/> is only built when the level is on.</summary>
    public void Info(int level, Func<string> text)
    {
        if (Verbose >= level)
        {
            lines.Add(new KernelLogLine(KernelLogLevel.Info, PrFmt + text()));
        }
    }

    /// <summary>Lines logged since <paramref name="mark"/> (a former <see cref="Lines"/> count).</summary>
    public IReadOnlyList<KernelLogLine> Since(int mark) => lines.GetRange(mark, lines.Count - mark);

    /// <summary>
    /// <c>%s</c> of a C string as it reaches the log: the bytes up to the first NUL, read as UTF-8, with control
    /// bytes shown the way <c>/dev/kmsg</c> (hence <c>dmesg</c>) escapes them, <c>\xNN</c>.
    /// </summary>
    public static string Str(ReadOnlySpan<byte> s) => Escape(Encoding.UTF8.GetString(KernelText.CString(s)));

    /// <summary><c>%c</c> of one byte, shown as <see cref="Str"/> shows bytes; a NUL (the flag-op of an empty
    /// word) is written into the message too, and shows as <c>\x00</c>.</summary>
    public static string Chr(byte c) => c == 0 ? "\\x00" : Str([c]);

    /// <summary>Control characters as <c>\xNN</c>, so that every log line stays one line.</summary>
    public static string Escape(string s)
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
