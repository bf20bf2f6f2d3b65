using System.Diagnostics;

namespace DynDbg.ElfSim.Cli;

/// <summary>
/// One status line on a terminal's stderr, rewritten in place with <c>\r</c> at most ten times a second and erased
/// by <see cref="Clear"/>. Disabled, it writes nothing: redirected stderr (files, CI logs) never sees it.
/// </summary>
public sealed class ProgressLine(TextWriter error, bool enabled)
{
    private static readonly long Interval = Stopwatch.Frequency / 10;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private long _last = -Interval;
    private int _shown;

    public bool Enabled => enabled;

    /// <summary>Seconds since the line was created, for the text.</summary>
    public double Seconds => _clock.Elapsed.TotalSeconds;

    /// <summary>Shows <paramref name="text"/>'s result unless the line was drawn less than 100 ms ago.</summary>
    public void Report(Func<string> text)
    {
        var now = _clock.ElapsedTicks;
        if (!enabled || now - _last < Interval)
        {
            return;
        }

        _last = now;
        var t = text();
        error.Write("\r" + t + new string(' ', Math.Max(0, _shown - t.Length)));
        error.Flush();
        _shown = t.Length;
    }

    /// <summary>Erases the line (before other output reaches the same terminal, and at the end).</summary>
    public void Clear()
    {
        if (_shown == 0)
        {
            return;
        }

        error.Write("\r" + new string(' ', _shown) + "\r");
        error.Flush();
        _shown = 0;
        _last = -Interval; // redraw at the next report
    }
}
