using DynDbg.ElfSim.Diagnostics;
using DynDbg.ElfSim.Elf;

namespace DynDbg.ElfSim.Cli;

/// <summary>Reading a command's ELF inputs: all at once on every core, in command-line order, each file unmapped when done.</summary>
public static class InputFiles
{
    /// <summary>
    /// Opens each input, turns it into a <typeparamref name="T"/> (which must not keep spans of the file: it is
    /// unmapped right after) and keeps the order; <paramref name="progress"/>, when enabled, counts the files done. If any input fails, the first failing one in command-line order
    /// is thrown and nothing is returned.
    /// </summary>
    public static List<T> Decode<T>(IReadOnlyList<string> paths, Func<ElfFile, T> decode, ProgressLine? progress = null, string verb = "read")
    {
        var done = 0;
        var results = new T[paths.Count];
        var errors = new DiagnosticException?[paths.Count];
        Parallel.For(0, paths.Count, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, i =>
        {
            try
            {
                using (var file = ElfFile.Open(paths[i]))
                {
                    results[i] = decode(file);
                }

                if (progress is { Enabled: true })
                {
                    var n = Interlocked.Increment(ref done);
                    lock (progress)
                    {
                        progress.Report(() => $"{verb}: {n}/{paths.Count} files, {progress.Seconds:0.0} s");
                    }
                }
            }
            catch (DiagnosticException e)
            {
                errors[i] = e;
            }
        });

        if (progress is not null)
        {
            lock (progress)
            {
                progress.Clear();
            }
        }

        if (errors.FirstOrDefault(e => e is not null) is { } first)
        {
            throw first;
        }

        return results.ToList();
    }
}
