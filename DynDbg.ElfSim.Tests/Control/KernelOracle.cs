using System.Diagnostics;
using System.Globalization;
using System.Text;
using DynDbg.ElfSim.Control;
using DynDbg.ElfSim.DynDbg;

namespace DynDbg.ElfSim.Tests.Control;

/// <summary>
/// The real 6.1 <c>lib/dynamic_debug.c</c>, compiled for userspace by <c>scripts/control-oracle/build.sh</c> and
/// driven over a pipe (protocol in harness.c). The tests give it the same sites and writes as
/// <see cref="DyndbgControl"/> and compare every answer. Tests using it are in the <c>KernelSource</c> category
/// (<see cref="KernelSourceBuild"/> says when they are ignored and when they fail).
/// </summary>
public sealed class KernelOracle : IDisposable
{
    private static readonly KernelSourceBuild Built = new("scripts/control-oracle/build.sh");
    private readonly Process process;

    private KernelOracle(string path)
    {
        var psi = new ProcessStartInfo(path)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
            StandardInputEncoding = new UTF8Encoding(false),
        };
        process = Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {path}");
        process.StandardInput.NewLine = "\n";
    }

    /// <summary>A fresh kernel state (no tables yet), or an ignored test when the oracle cannot be built on this
    /// platform; a missing compiler or build tool fails the test under CI.</summary>
    public static KernelOracle Start() => new(Built.Path);

    public void Verbose(int level) => Command($"V {level}");

    public void Context(int pid, bool inInterrupt) => Command($"I {pid} {(inInterrupt ? 1 : 0)}");

    /// <summary>
    /// Adds an image as the kernel would: one <c>ddebug_add_module</c> per table, each offered all class maps of
    /// the image (the kernel attaches those whose mod_name matches). Returns the log lines that produced.
    /// </summary>
    public IReadOnlyList<string> Load(MainlineImage image)
    {
        var log = new List<string>();
        foreach (var t in image.Tables)
        {
            for (var i = t.First; i < t.First + t.Count; i++)
            {
                var r = image.Records[i];
                Command(string.Join(' ', "S", Hex(r.Modname), Hex(r.Function), Hex(r.Filename), Hex(r.Format),
                    r.LineNo.ToString(CultureInfo.InvariantCulture), (r.ClassId < 0 ? DdebugLayout.DefaultClass : r.ClassId).ToString(CultureInfo.InvariantCulture),
                    r.Flags.ToString(CultureInfo.InvariantCulture), r.KeyEnabled.ToString(CultureInfo.InvariantCulture),
                    (r.KeyEnabled < 0 ? 0 : r.KeyType).ToString(CultureInfo.InvariantCulture)));
            }

            foreach (var cm in image.ClassMaps)
            {
                Command(string.Join(' ', new[] { "C", Hex(cm.ModName), cm.Base.ToString(CultureInfo.InvariantCulture), cm.MapType.ToString(CultureInfo.InvariantCulture) }
                    .Concat(cm.ClassNames.Select(Hex))));
            }

            log.AddRange(Log(Command($"T {Hex(t.ModName)}")));
        }

        return log;
    }

    /// <summary>A write(2) to the control file: its return and the log lines it produced.</summary>
    public (int Rc, IReadOnlyList<string> Log) Write(ReadOnlySpan<byte> data)
    {
        var lines = Command("W " + (data.Length == 0 ? "." : Convert.ToHexStringLower(data)));
        var rc = lines.Single(l => l.StartsWith("R ", StringComparison.Ordinal));
        return (int.Parse(rc[2..], CultureInfo.InvariantCulture), Log(lines));
    }

    /// <summary><c>cat control</c>.</summary>
    public string Control() => Utf8(Command("P").Single(l => l.StartsWith("O ", StringComparison.Ordinal))[2..]);

    /// <summary>FNV-1a 64 of the control file, of "flags:key " per site and of each prefix with its NUL (cheap to compare).</summary>
    public (ulong Control, ulong Keys, ulong Prefixes) Hashes()
    {
        var p = Command("H").Single(l => l.StartsWith('H')).Split(' ');
        return (ulong.Parse(p[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture), ulong.Parse(p[2], NumberStyles.HexNumber, CultureInfo.InvariantCulture),
            ulong.Parse(p[3], NumberStyles.HexNumber, CultureInfo.InvariantCulture));
    }

    /// <summary>FNV-1a 64, as harness.c computes it.</summary>
    public static ulong Fnv(ulong h, ReadOnlySpan<byte> bytes)
    {
        foreach (var b in bytes)
        {
            h = unchecked((h ^ b) * 0x100000001b3UL);
        }

        return h;
    }

    public const ulong FnvBasis = 0xcbf29ce484222325UL;

    /// <summary>Every site's flags and key count (-1 without a key), tables in list order, sites in array order.</summary>
    public IReadOnlyList<(uint Flags, int Enabled)> Keys() =>
        Command("K").Single(l => l.StartsWith('K')).Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1)
            .Select(p => p.Split(':')).Select(p => (uint.Parse(p[0], CultureInfo.InvariantCulture), int.Parse(p[1], CultureInfo.InvariantCulture))).ToArray();

    /// <summary><c>dynamic_emit_prefix</c> of every site, same order as <see cref="Keys"/>.</summary>
    public IReadOnlyList<string> Prefixes() =>
        Command("F").Single(l => l.StartsWith('F')).Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(Utf8).ToArray();

    public IReadOnlyList<string> Command(string line)
    {
        process.StandardInput.WriteLine(line);
        process.StandardInput.Flush();
        var lines = new List<string>();
        while (process.StandardOutput.ReadLine() is { } l && l != ".")
        {
            lines.Add(l);
        }

        if (process.HasExited && process.ExitCode != 0)
        {
            Assert.Fail($"control oracle exited {process.ExitCode} on '{line[..Math.Min(line.Length, 80)]}'");
        }

        return lines;
    }

    public void Dispose()
    {
        process.StandardInput.Close();
        if (!process.WaitForExit(10_000))
        {
            process.Kill();
        }

        process.Dispose();
    }

    /// <summary>printk lines as KernelLog shows them: pr_cont joined, bytes read as UTF-8, control bytes as \xNN.</summary>
    private static List<string> Log(IEnumerable<string> lines)
    {
        var log = new List<string>();
        foreach (var l in lines.Where(l => l.StartsWith("L ", StringComparison.Ordinal)))
        {
            var text = KernelLog.Escape(Utf8(l[4..]));
            if (l[2] == 'c' && log.Count > 0)
            {
                log[^1] += text;
            }
            else
            {
                log.Add(text);
            }
        }

        return log;
    }

    private static string Hex(string s) => s.Length == 0 ? "." : Convert.ToHexStringLower(Encoding.UTF8.GetBytes(s));

    private static string Utf8(string hex) => hex == "." ? "" : Encoding.UTF8.GetString(Convert.FromHexString(hex));
}
