using DynDbg.ElfSim.Diagnostics;
using DynDbg.ElfSim.Elf;

namespace DynDbg.ElfSim.Cli;

/// <summary>Reading a command's ELF inputs: all at once on every core, in command-line order, each file unmapped when done.</summary>
public static class InputFiles
{
    /// <summary>
    /// Files as given; directories walked, sorted. Whether a walked file is ELF at all is told where it is opened
    /// (<see cref="ElfFile.OpenIfElf"/>), from the one mapping the parse uses: the walk opens nothing, so a module tree
    /// is not opened twice, and FIFOs and devices in a tree never block it.
    /// </summary>
    public static List<InputPath> Expand(IReadOnlyList<string> paths)
    {
        var inputs = new List<InputPath>();
        foreach (var p in paths)
        {
            if (Directory.Exists(p))
            {
                inputs.AddRange(Directory.EnumerateFiles(p, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal).Select(f => new InputPath(f, true)));
            }
            else
            {
                inputs.Add(new InputPath(p, false)); // a missing or non-ELF file named on the command line is an error
            }
        }

        return inputs;
    }

    /// <inheritdoc cref="Decode{T}(IReadOnlyList{InputPath}, Func{ElfFile, bool, T}, ProgressLine?, string)"/>
    public static List<T> Decode<T>(IReadOnlyList<string> paths, Func<ElfFile, bool, T> decode, ProgressLine? progress = null, string verb = "read") =>
        Decode(paths.Select(p => new InputPath(p, false)).ToList(), decode, progress, verb);

    /// <summary>
    /// Opens each input, turns it into a <typeparamref name="T"/> and keeps the order. <paramref name="decode"/> is
    /// told whether its result may stay a lazy view over the file: only for a single input, which stays mapped for
    /// as long as its result lives (a million-record vmlinux.o's records then cost no memory). With several inputs
    /// each file is unmapped right after its result was made, which must then not refer to it (a module tree must
    /// not keep thousands of maps). <paramref name="progress"/>, when enabled, counts the files done. If any input fails, the first failing one in command-line order
    /// is thrown and nothing is returned. A walked file that is not ELF is passed over: it has no result.
    /// </summary>
    public static List<T> Decode<T>(IReadOnlyList<InputPath> paths, Func<ElfFile, bool, T> decode, ProgressLine? progress = null, string verb = "read")
    {
        var done = 0;
        var results = new T[paths.Count];
        var present = new bool[paths.Count];
        var errors = new DiagnosticException?[paths.Count];
        void ReadOne(int i)
        {
            try
            {
                var (path, walked) = paths[i];
                if ((walked ? ElfFile.OpenIfElf(path) : ElfFile.Open(path)) is not { } file)
                {
                    return;
                }

                var lazy = paths.Count == 1;
                try
                {
                    results[i] = decode(file, lazy);
                    present[i] = true;
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
        }

        // One input is read on this thread: starting the thread pool for it was a tenth of `load vmlinux.o`'s time.
        if (paths.Count == 1)
        {
            ReadOne(0);
        }
        else
        {
            Parallel.For(0, paths.Count, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, ReadOne);
        }

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

        return results.Where((_, i) => present[i]).ToList();
    }
}

/// <summary>An input path, and whether it was found by walking a directory (then a file that is not ELF is passed over).</summary>
public readonly record struct InputPath(string Path, bool Walked);
