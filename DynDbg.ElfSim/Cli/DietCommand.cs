using System.CommandLine;
using DynDbg.ElfSim.Checks;
using DynDbg.ElfSim.Diagnostics;
using DynDbg.ElfSim.DynDbg;
using DynDbg.ElfSim.Elf;
using DynDbg.ElfSim.Reports;

namespace DynDbg.ElfSim.Cli;

/// <summary>
/// <c>diet FILE -o DIR [--diet v5|v5-nosite|v6] [--link [-T SCRIPT]] [--format text|json]</c>: writes the objects a
/// diet-patched build would have produced from a mainline table (<see cref="DietTransform"/>), one line per
/// object; with <c>--link</c> links them with the engine into <c>DIR/&lt;module&gt;.ko</c> (or <c>DIR/vmlinux.o</c>)
/// and prints the diet check verdict. Exit 0 written (and, linked, no check error; hazards allowed), 1 a check of
/// the linked image failed, 2 the input could not be read, has no table (DYN013) or is already a diet image (DYN015).
/// </summary>
public static class DietCommand
{
    public static Command Create(CliOutput io)
    {
        var file = new Argument<string>("FILE") { Description = "a mainline table: .ko, vmlinux.o, sample object or linked vmlinux" };
        var output = new Option<string>("-o", "--output") { Description = "directory for the objects (created)", Required = true };
        var diet = new Option<string>("--diet") { Description = "diet variant: v5, v5-nosite or v6", DefaultValueFactory = _ => "v5" };
        diet.AcceptOnlyFromAmong("v5", "v5-nosite", "v6");
        var link = new Option<bool>("--link") { Description = "also link the objects with the engine and check the result" };
        var script = new Option<string?>("-T", "--script") { Description = "linker script for --link (default: module.lds, module-v6.lds, vmlinux-diet-v5.lds or -v6.lds)" };
        var format = new Option<string>("--format") { Description = "text or json", DefaultValueFactory = _ => "text" };
        format.AcceptOnlyFromAmong("text", "json");
        var cmd = new Command("diet", "write the objects a diet-patched build would have produced from a mainline table")
        {
            file, output, diet, link, script, format,
        };
        cmd.SetAction(r => Run(io, r.GetValue(file)!, r.GetValue(output)!, r.GetValue(diet)!, r.GetValue(link), r.GetValue(script), ReportFormats.Parse(r.GetValue(format)!)));
        return cmd;
    }

    public static int Run(CliOutput io, string path, string outDir, string diet, bool link, string? script, ReportFormat format)
    {
        if (script is not null && !link)
        {
            return io.Usage("-T applies to --link only");
        }

        // -o is a directory: an existing file there (the input itself, above all) is refused before anything is written.
        if (UnixFileStat.SameFile(path, outDir))
        {
            return io.Usage($"input file '{path}' is the same as output directory '{outDir}'; diet writes its objects into a directory, nothing was written");
        }

        if (File.Exists(outDir))
        {
            return io.Usage($"-o '{outDir}' is a file; diet writes its objects into a directory, nothing was written");
        }

        var variant = DietLayout.ParseVariant(diet)!.Value;
        DietTransformResult result;
        FileCheck? check = null;
        // a vmlinux becomes hundreds of objects: a terminal gets a progress line on stderr (never a pipe or a log)
        var progress = new ProgressLine(io.Error, io.ErrorIsTerminal);
        try
        {
            using (var input = ElfFile.Open(path))
            {
                result = DietTransform.Run(input, outDir, variant,
                    (done, total) => progress.Report(() => $"diet: {done}/{total} objects, {progress.Seconds:0.0} s"));
            }

            if (link)
            {
                progress.Report(() => $"diet: linking {result.Objects.Count} objects, {progress.Seconds:0.0} s");
                var linked = Path.Combine(outDir, result.LinkedName);
                DietTransform.Link(result, linked, script);
                using var lf = ElfFile.Open(linked);
                check = ImageReader.Read(lf, null, variant) is DietImage img
                    ? new FileCheck(linked, CheckedKind.Diet, img.Layout.Name, [(result.Name, img.Elements.Count)], DietChecks.Run(img), null)
                    : new FileCheck(linked, CheckedKind.None, null, [], [], null);
            }
        }
        catch (DiagnosticException e)
        {
            progress.Clear();
            return io.Fail(e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            progress.Clear();
            return io.Fail(new UsageException(UsageErrorIds.CannotWriteOutput, outDir, "output", null, $"cannot write: {e.Message}"));
        }

        progress.Clear();
        if (format == ReportFormat.Json)
        {
            io.Out.Write(JsonArrays.Document([result], (j, r) => DietJsonReport.Write(j, r, check)));
        }
        else
        {
            WriteText(io.Out, result, outDir, check);
        }

        io.Out.Flush();
        return check is { Failed: true } ? ExitCodes.CheckFailed : ExitCodes.Ok;
    }

    private static void WriteText(TextWriter w, DietTransformResult r, string outDir, FileCheck? check)
    {
        w.WriteLine($"{r.Input}: {(r.IsModule ? "module" : "built-in table")} {r.Name}, {r.Callsites} call sites -> diet {r.Layout.Name}, " +
                    $"{r.Objects.Count} object{(r.Objects.Count == 1 ? "" : "s")} in {outDir} (link with {r.Script})");
        if (r.ClassedCallsites > 0)
        {
            w.WriteLine($"  note: {r.ClassedCallsites} call site(s) had a class (class_id != 63); diet layouts have no class field, written as default-class sites");
        }

        var width = r.Objects.Max(o => o.Name.Length);
        foreach (var o in r.Objects)
        {
            w.WriteLine($"  {o.Name.PadRight(width)}  {o.Descriptors,6} descriptors  {o.Bytes,9} bytes");
        }

        if (check is not null)
        {
            CheckReport.WriteText(w, check);
        }
    }
}
