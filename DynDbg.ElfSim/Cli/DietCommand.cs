using System.CommandLine;
using System.Text.Json;
using DynDbg.ElfSim.Checks;
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
        cmd.SetAction(r => Run(io, r.GetValue(file)!, r.GetValue(output)!, r.GetValue(diet)!, r.GetValue(link), r.GetValue(script), r.GetValue(format)!));
        return cmd;
    }

    public static int Run(CliOutput io, string path, string outDir, string diet, bool link, string? script, string format)
    {
        if (script is not null && !link)
        {
            return io.Usage("-T applies to --link only");
        }

        var variant = DietLayout.ParseVariant(diet)!.Value;
        DietTransformResult result;
        FileCheck? check = null;
        try
        {
            using (var input = ElfFile.Open(path))
            {
                result = DietTransform.Run(input, outDir, variant);
            }

            if (link)
            {
                var linked = Path.Combine(outDir, result.LinkedName);
                DietTransform.Link(result, linked, script);
                using var lf = ElfFile.Open(linked);
                var img = DietImage.Load(lf, variant);
                check = img is null
                    ? new FileCheck(linked, "none", null, [], [], null)
                    : new FileCheck(linked, "diet", img.Layout.Name, [(result.Name, img.Elements.Count)], DietChecks.Run(img), null);
            }
        }
        catch (ElfFormatException e)
        {
            return io.Fail(e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return io.Fail(new ElfFormatException(ErrorIds.CannotWriteOutput, outDir, "output", null, $"cannot write: {e.Message}"));
        }

        if (format == "json")
        {
            WriteJson(io.Out, result, check);
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

    private static void WriteJson(TextWriter w, DietTransformResult r, FileCheck? check)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(1 << 12);
        using (var j = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            j.WriteStartObject();
            j.WriteString("input", r.Input);
            j.WriteString("name", r.Name);
            j.WriteBoolean("module", r.IsModule);
            j.WriteString("layout", r.Layout.Name);
            j.WriteString("script", r.Script);
            j.WriteNumber("callsites", r.Callsites);
            j.WriteNumber("classedCallsites", r.ClassedCallsites);
            j.WriteStartArray("objects");
            foreach (var o in r.Objects)
            {
                j.WriteStartObject();
                j.WriteString("name", o.Name);
                j.WriteNumber("descriptors", o.Descriptors);
                j.WriteNumber("bytes", o.Bytes);
                j.WriteEndObject();
            }

            j.WriteEndArray();
            if (check is not null)
            {
                j.WritePropertyName("linked");
                CheckReport.WriteJson(j, check);
            }

            j.WriteEndObject();
        }

        w.Write(System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan));
        w.WriteLine();
    }
}
