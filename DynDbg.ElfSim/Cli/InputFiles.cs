using DynDbg.ElfSim.Diagnostics;
using DynDbg.ElfSim.Elf;

namespace DynDbg.ElfSim.Cli;

/// <summary>Reading a command's ELF inputs: all at once on every core, in command-line order, each file unmapped when done.</summary>
public static class InputFiles
{
    /// <summary>
    /// Files as given; directories walked (sorted) for files that start with the ELF magic number. Files under 16
    /// bytes are not opened, so FIFOs and devices in a tree never block the walk.
    /// </summary>
    public static List<string> Expand(IReadOnlyList<string> paths)
    {
        var inputs = new List<string>();
        foreach (var p in paths)
        {
            if (!Directory.Exists(p))
            {
                inputs.Add(p);
                continue;
            }

            var found = Directory.EnumerateFiles(p, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal);
            inputs.AddRange(found.Where(f => ElfFile.HasElfMagic(f, minLength: 16)));
        }

        return inputs;
    }

    /// <summary>
    /// Opens each input, turns it into a <typeparamref name="T"/> and keeps the order. <paramref name="decode"/> is
    /// told whether its result may stay a lazy view over the file: only for a single input, which stays mapped for
    /// as long as its result lives (a million-record vmlinux.o's records then cost no memory). With several inputs
    /// each file is unmapped right after its result was made, which must then not refer to it (a module tree must
    /// not keep thousands of maps). <paramref name="progress"/>, when enabled, counts the files done. If any input fails, the first failing one in command-line order
    /// is thrown and nothing is returned.
    /// </summary>
    public static List<T> Decode<T>(IReadOnlyList<string> paths, Func<ElfFile, bool, T> decode, ProgressLine? progress = null, string verb = "read")
    {
        var done = 0;
        var results = new T[paths.Count];
        var errors = new DiagnosticException?[paths.Count];
        Parallel.For(0, paths.Count, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, i =>
        {
            try
            {
                var file = ElfFile.Open(paths[i]);
                var lazy = paths.Count == 1;
                try
                {
                    results[i] = decode(file, lazy);
                    if (!lazy)
                    {
                        file.Dispose();
                    }
                }
                catch
                {
                    file.Dispose();
                    throw;
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
