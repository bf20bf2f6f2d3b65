using SharpFuzz;

namespace DynDbg.ElfSim.Fuzz;

/// <summary>
/// <c>DynDbg.ElfSim.Fuzz TARGET</c>: the AFL++ fork server for one target (SharpFuzz, persistent in-process; run
/// by <c>afl-fuzz ... -- dotnet DynDbg.ElfSim.Fuzz.dll TARGET</c> against an instrumented DynDbg.ElfSim.dll).
/// <c>DynDbg.ElfSim.Fuzz TARGET FILE...</c>: replays each file and prints how it ended, one line each; an input
/// that ends in anything but our own error prints the exception and exits 1 (the CI smoke's check).
/// </summary>
internal static class Program
{
    private static int Main(string[] args)
    {
        if (args.Length == 0 || !FuzzTargets.Names.Contains(args[0]))
        {
            Console.Error.WriteLine($"usage: DynDbg.ElfSim.Fuzz TARGET [FILE...]   (TARGET: {string.Join(", ", FuzzTargets.Names)})");
            return 2;
        }

        var target = args[0];
        // INCLUDE in a fuzzed script looks names up in the current directory: make it an empty one.
        var files = args[1..].Select(Path.GetFullPath).ToArray();
        Directory.SetCurrentDirectory(Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "dyndbg-elfsim-fuzz-cwd")).FullName);
        if (files.Length > 0)
        {
            return Replay(target, files);
        }

        Fuzzer.Run(stream =>
        {
            using var ms = new MemoryStream();
            stream.CopyTo(ms);
            try
            {
                FuzzTargets.Run(target, ms.ToArray());
            }
            catch (Exception e)
            {
                // afl-fuzz discards the target's output unless AFL_DEBUG_CHILD=1: then a crash that does not
                // replay in a fresh process (state carried between inputs) still says what it was.
                Console.Error.WriteLine($"fuzz {target}: {e.GetType().Name}: {e.Message}\n{e.StackTrace}");
                throw;
            }
            finally
            {
                ReleaseLargeGarbage();
            }
        });
        return 0;
    }

    /// <summary>
    /// The memory oracle bounds one input, not the garbage the inputs before it left: the large-object heap is not
    /// compacted by default, and in a process that has run many inputs a large allocation (a link writing hundreds of
    /// MB in memory) then fails under the 2 GiB hard limit although little is live. AFL++ link inputs that ended in
    /// OutOfMemoryException only after others, and not alone, did so. Compacted once the heap has grown past 256 MB.
    /// </summary>
    private static void ReleaseLargeGarbage()
    {
        if (GC.GetTotalMemory(forceFullCollection: false) > 256L << 20)
        {
            System.Runtime.GCSettings.LargeObjectHeapCompactionMode = System.Runtime.GCLargeObjectHeapCompactionMode.CompactOnce;
            GC.Collect();
        }
    }

    private static int Replay(string target, string[] files)
    {
        var failed = 0;
        foreach (var file in files)
        {
            var data = File.ReadAllBytes(file);
            try
            {
                Console.WriteLine($"{file}: {FuzzTargets.Replay(target, data)}");
            }
#pragma warning disable CA1031 // any exception that is not ours is the finding being reported
            catch (Exception e)
#pragma warning restore CA1031
            {
                failed++;
                Console.WriteLine($"{file}: CRASH ({data.Length} bytes, base64 {Convert.ToBase64String(data)}):");
                Console.WriteLine(e);
            }
            finally
            {
                ReleaseLargeGarbage();
            }
        }

        return failed == 0 ? 0 : 1;
    }
}
