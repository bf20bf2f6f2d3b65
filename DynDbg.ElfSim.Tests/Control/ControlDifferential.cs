using System.Text;
using DynDbg.ElfSim.Control;
using DynDbg.ElfSim.DynDbg;

namespace DynDbg.ElfSim.Tests.Control;

/// <summary>
/// Runs <see cref="DyndbgControl"/> and the <see cref="KernelOracle"/> side by side on the same images and writes,
/// and says where they first disagree: the write's return, its log lines, the control file, any site's flags or
/// static-key count, or any site's pr_debug prefix.
/// </summary>
public sealed class ControlDifferential : IDisposable
{
    private readonly KernelOracle kernel;

    public ControlDifferential(IEnumerable<MainlineImage> images, int verbose = 4, int pid = 1, bool inInterrupt = false)
    {
        kernel = KernelOracle.Start();
        kernel.Verbose(verbose);
        kernel.Context(pid, inInterrupt);
        Pid = pid;
        InInterrupt = inInterrupt;
        Ours = new DyndbgControl(FlagLetters.Linux61, verbose);
        var kernelBoot = new List<string>();
        foreach (var image in images)
        {
            Ours.Load(image);
            kernelBoot.AddRange(kernel.Load(image));
        }

        // The harness adds tables with ddebug_add_module, not dynamic_debug_init, so the init summary is ours alone.
        BootLogDifference = Ours.Log.Lines.Select(l => l.Text).Where(l => !l.Contains(" prdebugs in ") && !l.Contains(" builtin ddebug class-maps"))
            .SequenceEqual(kernelBoot) ? null : "boot log differs";
    }

    /// <summary>Null when adding the tables logged what the kernel logs.</summary>
    public string? BootLogDifference { get; }

    public DyndbgControl Ours { get; }

    public int Pid { get; }

    public bool InInterrupt { get; }

    public int Writes { get; private set; }

    /// <summary>Null when both sides agree after the write, else what differs first.</summary>
    public string? Step(byte[] data)
    {
        Writes++;
        var ours = Ours.Write(data);
        var (rc, log) = kernel.Write(data);
        var oursLog = ours.Log.Select(l => l.Text).ToArray();
        if (ours.Rc != rc)
        {
            return $"return code: ours {ours.Rc}, kernel {rc}\n  kernel log:\n    {string.Join("\n    ", log)}";
        }

        if (!oursLog.SequenceEqual(log))
        {
            return $"log differs\n  ours:\n    {string.Join("\n    ", oursLog)}\n  kernel:\n    {string.Join("\n    ", log)}";
        }

        return CompareState();
    }

    /// <summary>Control file, every site's flags and key, and every prefix; null when equal.</summary>
    public string? CompareState()
    {
        var sites = Ours.Tables.SelectMany(t => t.Sites).ToArray();
        var ours = ControlFileWriter.Render(Ours);

        // Hashes first: a real kernel's control file is megabytes; the details are fetched only on a difference.
        var keysHash = KernelOracle.FnvBasis;
        var prefixHash = KernelOracle.FnvBasis;
        foreach (var s in sites)
        {
            keysHash = KernelOracle.Fnv(keysHash, Encoding.ASCII.GetBytes($"{s.Flags}:{s.Key?.Enabled ?? -1} "));
            prefixHash = KernelOracle.Fnv(prefixHash, [.. Encoding.UTF8.GetBytes(Ours.Prefix(s, Pid, InInterrupt)), 0]);
        }

        if (kernel.Hashes() == (KernelOracle.Fnv(KernelOracle.FnvBasis, Encoding.UTF8.GetBytes(ours)), keysHash, prefixHash))
        {
            return null;
        }

        var theirs = kernel.Control();
        if (ours != theirs)
        {
            var a = ours.Split('\n');
            var b = theirs.Split('\n');
            var at = Enumerable.Range(0, Math.Min(a.Length, b.Length)).FirstOrDefault(i => a[i] != b[i], Math.Min(a.Length, b.Length));
            return $"control file differs at line {at + 1}:\n  ours:   {a.ElementAtOrDefault(at)}\n  kernel: {b.ElementAtOrDefault(at)}";
        }

        var keys = kernel.Keys();
        var prefixes = kernel.Prefixes();
        if (keys.Count != sites.Length || prefixes.Count != sites.Length)
        {
            return $"site count: ours {sites.Length}, kernel {keys.Count}/{prefixes.Count}";
        }

        for (var i = 0; i < sites.Length; i++)
        {
            var s = sites[i];
            if (s.Flags != keys[i].Flags || (s.Key?.Enabled ?? -1) != keys[i].Enabled)
            {
                return $"site {i} ({s.Record.Filename}:{s.Record.LineNo}): ours flags {s.Flags} key {s.Key?.Enabled}, kernel flags {keys[i].Flags} key {keys[i].Enabled}";
            }

            var prefix = Ours.Prefix(s, Pid, InInterrupt);
            if (prefix != prefixes[i])
            {
                return $"site {i} prefix: ours '{prefix}', kernel '{prefixes[i]}'";
            }
        }

        return "the hashes differ but no detail does (hash input out of step with harness.c)";
    }

    public void Dispose() => kernel.Dispose();
}
