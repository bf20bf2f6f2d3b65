using System.Runtime;
using System.CommandLine;
using DynDbg.ElfSim.Diagnostics;
using DynDbg.ElfSim.Elf;
using DynDbg.ElfSim.Linking;

namespace DynDbg.ElfSim.Cli;

/// <summary>
/// <c>link -T SCRIPT -o OUT [-Map MAP] [--linkonce gnu|lld] [--demangle|--no-demangle] INPUT...</c>: <c>ld -r -T SCRIPT</c> emulation. Writes
/// a relocatable ELF (and a GNU-ld-style map), each whole or not at all; prints nothing on success, like ld, or with
/// <c>--format json</c> what it wrote (<see cref="LinkJsonReport"/>).
/// </summary>
public static class LinkCommand
{
    public static Command Create(CliOutput io)
    {
        var inputs = new Argument<string[]>("INPUT") { Description = "relocatable objects (.o, .ko), in link order", Arity = ArgumentArity.OneOrMore };
        var script = new Option<string>("-T", "--script") { Description = $"linker script: a file, or a bundled one ({string.Join(", ", BundledScripts.Names)})", Required = true };
        var output = new Option<string>("-o", "--output") { Description = "output file", Required = true };
        var map = new Option<string?>("-Map", "--Map") { Description = "also write a GNU ld -Map style link map" };
        var linkOnce = new Option<string>("--linkonce") { Description = "gnu: keep one .gnu.linkonce.* section per name (GNU ld); lld: keep every copy", DefaultValueFactory = _ => "gnu" };
        linkOnce.AcceptOnlyFromAmong("gnu", "lld");
        var demangle = new Option<bool>("--demangle") { Description = "print C++ symbol names in the map demangled, as c++filt would without its verbose std:: spellings (the default, as ld)" };
        var noDemangle = new Option<bool>("--no-demangle") { Description = "print symbol names in the map as they are in the objects (ld --no-demangle)" };
        var format = new Option<string>("--format") { Description = "text: print nothing on success, as ld; json: the output sections with their inputs, the discarded sections, symbols and relocation tables", DefaultValueFactory = _ => "text" };
        format.AcceptOnlyFromAmong("text", "json");
        var cmd = new Command("link", "ld -r -T SCRIPT emulation: write a relocatable ELF and a GNU-ld-style map")
        {
            inputs, script, output, map, linkOnce, demangle, noDemangle, format,
        };
        cmd.SetAction(r => Run(io, r.GetValue(inputs)!, r.GetValue(script)!, r.GetValue(output)!, r.GetValue(map), r.GetValue(linkOnce)!,
            r.GetValue(format) == "json", DemangleChoice(r)));
        return cmd;
    }

    /// <summary>ld reads its options in order, so of --demangle and --no-demangle the last one given wins.</summary>
    private static bool DemangleChoice(ParseResult r)
    {
        for (var i = r.Tokens.Count - 1; i >= 0; i--)
        {
            switch (r.Tokens[i].Value)
            {
                case "--demangle":
                    return true;
                case "--no-demangle":
                    return false;
            }
        }

        return true;
    }

    public static int Run(CliOutput io, IReadOnlyList<string> inputs, string scriptPath, string output, string? map, string linkOnce, bool json = false,
        bool demangle = true)
    {
        if (inputs.FirstOrDefault(p => p.StartsWith('-') && !File.Exists(p)) is { } unknown)
        {
            return io.Usage($"unknown option '{unknown}' for link");
        }

        // ld.bfd: "input file 'a.o' is the same as output file". Checked by inode, so links to an input count too.
        foreach (var (path, what) in map is null ? [(output, "output")] : new[] { (output, "output"), (map, "map") })
        {
            if (inputs.Append(scriptPath).FirstOrDefault(i => UnixFileStat.SameFile(i, path)) is { } same)
            {
                return io.Usage($"input file '{same}' is the same as {what} file '{path}'; nothing was written");
            }
        }

        if (map is not null && string.Equals(Path.GetFullPath(map), Path.GetFullPath(output), StringComparison.Ordinal))
        {
            return io.Usage($"-Map '{map}' is the output file too; nothing was written");
        }

        var rule = linkOnce == "lld" ? LinkOnceRule.Lld : LinkOnceRule.Gnu;
        // A link builds one large, long-lived graph and exits: background collections only add CPU (perf on the
        // 70 010-section link: a fifth of it in background marking). Batch is non-concurrent collection for this
        // process; not set for the whole tool, since `check TREE` got slower and bigger without background GC.
        var latency = GCSettings.LatencyMode;
        GCSettings.LatencyMode = GCLatencyMode.Batch;
        var noGcRegion = false;
        try
        {
            return Linker.WithLink(inputs, scriptPath, new LinkOptions(output, rule, demangle), link =>
            {
                // Both outputs are staged before either is renamed into place: a map that cannot be written leaves no object.
                var elf = link.ToElf().StageFile(output);
                AtomicFile.Staged? mapFile = null;
                try
                {
                    mapFile = map is null ? null : AtomicFile.Stage(map, s => s.Write(System.Text.Encoding.UTF8.GetBytes(link.Map())));
                }
                catch
                {
                    AtomicFile.Discard(elf);
                    throw;
                }

                AtomicFile.Commit(elf);
                if (mapFile is not null)
                {
                    AtomicFile.Commit(mapFile);
                }

                if (json)
                {
                    io.Out.Write(Reports.JsonArrays.Document([link], (j, l) => Reports.LinkJsonReport.Write(j, l, output, map)));
                    io.Out.Flush();
                }

                return ExitCodes.Ok;
            }, files => noGcRegion = TryStartNoGcRegion(files));
        }
        catch (DiagnosticException e)
        {
            return io.Fail(e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return io.Fail(new UsageException(UsageErrorIds.CannotWriteOutput, output, "output", null, $"cannot write: {e.Message}"));
        }
        finally
        {
            if (noGcRegion && GCSettings.LatencyMode == GCLatencyMode.NoGCRegion)
            {
                GC.EndNoGCRegion();
            }

            GCSettings.LatencyMode = latency; // for in-process callers (the tests)
        }
    }

    /// <summary>
    /// The link's object graph grows with the input section count (about 2.4 KB a section on the 70 010-section
    /// link, 2.1 KB on the real vmlinux.o) and stays live to the end, so collecting it is pure cost: the 70 010-section
    /// link spent a quarter of its CPU in gen1/gen2 marking of live objects. That much is reserved up front as a
    /// no-GC region; an allocation past it ends the region and collections resume as usual. The cap keeps links of
    /// few sections and much relocation data (100 objects × 10 000 call sites: 391 MB allocated, 48 MB of it
    /// garbage) collecting early enough to peak below ld.bfd (docs/linking.md).
    /// </summary>
    private static bool TryStartNoGcRegion(IReadOnlyList<(string Name, ElfFile File)> files)
    {
        const long BytesPerSection = 2560;
        const long Cap = 128L << 20;
        const long Floor = 8L << 20; // below this the collections cost next to nothing
        var sections = files.Sum(f => (long)f.File.Sections.Count);
        var budget = Math.Min(Cap, sections * BytesPerSection);
        if (budget < Floor)
        {
            return false;
        }

        try
        {
            return GC.TryStartNoGCRegion(budget);
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentOutOfRangeException)
        {
            return false; // already in one (another in-process link), or more than this GC can reserve
        }
    }
}
