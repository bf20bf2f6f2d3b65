using System.CommandLine;
using System.Globalization;
using DynDbg.ElfSim.Checks;
using DynDbg.ElfSim.Diagnostics;
using DynDbg.ElfSim.DynDbg;
using DynDbg.ElfSim.Elf;

namespace DynDbg.ElfSim.Cli;

/// <summary>
/// <c>synth -o DIR [--arch A] [--profile P] [--modules M] [--callsites N] [--diet V] [--fault F] [--seed S]</c>:
/// seeded synthetic objects (docs/synth.md). Without --modules: DIR/vmlinux.o, a built-in object with many
/// modnames; with --modules M: DIR/lib/modules/synth/kernel/**.ko, M modules sharing N call sites. --diet writes
/// diet objects and links each image under the variant's script; --fault breaks one invariant in each image. Each file is written whole
/// (temp + rename) and a module tree is built in a temporary directory and moved into place only when complete.
/// </summary>
public static class SynthCommand
{
    /// <summary>The release directory of a synthetic module tree (lib/modules/&lt;release&gt;).</summary>
    public const string Release = "synth";

    /// <summary>More would not fit the tool's int-indexed tables and is no test anyone needs.</summary>
    public const int MaxCallsites = 50_000_000;

    public static Command Create(CliOutput io)
    {
        var output = new Option<string>("-o", "--output") { Description = "output directory", Required = true };
        var arch = new Option<string>("--arch") { Description = "x86_64, i386, aarch64, armhf, s390x, ppc64le, mips64el or riscv64", DefaultValueFactory = _ => "x86_64" };
        var profile = new Option<string?>("--profile") { Description = "struct _ddebug layout (e.g. v6.1-64le-jl); default: 6.1 with JUMP_LABEL for the arch" };
        var modules = new Option<int?>("--modules") { Description = "write a module tree of M modules instead of vmlinux.o" };
        var callsites = new Option<int>("--callsites") { Description = "call sites in all", DefaultValueFactory = _ => 2000 };
        var seed = new Option<int>("--seed") { Description = "random seed; the same seed gives byte-identical files", DefaultValueFactory = _ => 1 };
        var diet = new Option<string?>("--diet") { Description = "write diet-plan objects of this variant (v5, v5-nosite, v6), linked per image" };
        var fault = new Option<string?>("--fault") { Description = $"break one invariant in each image (implies --diet v5 unless given): {string.Join(", ", SynthFault.All.Select(f => f.Name))}" };
        var cmd = new Command("synth", "write seeded synthetic objects: vmlinux.o or a module tree, mainline or diet, with a named fault when asked")
        {
            output, arch, profile, modules, callsites, seed, diet, fault,
        };
        cmd.SetAction(r => Run(io, new SynthRequest(r.GetValue(output)!, r.GetValue(arch)!, r.GetValue(profile), r.GetValue(modules),
            r.GetValue(callsites), r.GetValue(seed), r.GetValue(diet), r.GetValue(fault))));
        return cmd;
    }

    public static int Run(CliOutput io, SynthRequest request)
    {
        var target = ObjectTarget.ForArch(request.Arch);
        if (target is null)
        {
            return io.Usage($"unknown --arch '{request.Arch}' (x86_64, i386, aarch64, armhf, s390x, ppc64le, mips64el, riscv64)");
        }

        var layout = MainlineObjectWriter.DefaultLayout(target);
        if (request.Profile is { } p)
        {
            var named = DdebugLayout.ByName(p);
            if (named is null)
            {
                return io.Usage($"unknown --profile '{p}' ({string.Join(", ", DdebugLayout.All.Select(l => l.Name))})");
            }

            if (named.PointerSize != target.PointerSize || named.BigEndian != target.BigEndian)
            {
                return io.Usage($"--profile {named.Name} does not fit --arch {request.Arch} ({target.PointerSize * 8}-bit {(target.BigEndian ? "big" : "little")}-endian)");
            }

            layout = named;
        }

        if (request.Callsites is < 0 or > MaxCallsites)
        {
            return io.Usage($"--callsites must be 0..{MaxCallsites}, not {request.Callsites}");
        }

        if (request.Modules is < 1 or > 1_000_000)
        {
            return io.Usage($"--modules must be 1..1000000, not {request.Modules}");
        }

        if (request.Fault is not null || request.Diet is not null)
        {
            return RunDiet(io, request, target);
        }

        return Emit(io, request, layout.Name, (units, module, path) =>
        {
            MainlineObjectWriter.Build(target, layout, units, module).WriteFile(path);
            return "";
        });
    }

    /// <summary>
    /// Writes DIR/vmlinux.o (no --modules) or the module tree with <paramref name="write"/> (units, module name or
    /// null for built-ins, path → a note for the summary line); the units stream, so a million call sites are never
    /// held as records. A write failure is one line and exit 2.
    /// </summary>
    private static int Emit(CliOutput io, SynthRequest request, string tag, Func<IEnumerable<CompilationUnit>, string?, string, string> write)
    {
        if (File.Exists(request.Output))
        {
            // An existing file (an input of another command, perhaps) is never replaced by a directory.
            return io.Usage($"-o '{request.Output}' is a file; synth writes vmlinux.o or a module tree into a directory, nothing was written");
        }

        var gen = new SynthGenerator(request.Seed);
        try
        {
            Directory.CreateDirectory(request.Output);
            if (request.Modules is not { } m)
            {
                var path = Path.Combine(request.Output, "vmlinux.o");
                var note = write(gen.BuiltIn(request.Callsites), null, path);
                io.Out.WriteLine($"{path}: {request.Callsites} call sites, {new FileInfo(path).Length} bytes ({tag}, built-in){note}");
                return ExitCodes.Ok;
            }

            var progress = io.ProgressFor(m);
            var written = WriteTree(request.Output, gen.Modules(m, request.Callsites), (mod, path) => write(mod.Units(), mod.Name, path), progress);
            progress.Clear();
            return Summary(io, request, m, written, tag);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return io.Fail(new UsageException(UsageErrorIds.CannotWriteOutput, request.Output, "output", null, $"cannot write: {e.Message}"));
        }
    }

    /// <summary>--diet / --fault: diet objects per unit, linked per image by the engine (<see cref="DietSynth"/>).</summary>
    private static int RunDiet(CliOutput io, SynthRequest request, ObjectTarget target)
    {
        if (request.Profile is not null)
        {
            return io.Usage("--profile names a mainline layout; diet objects take their layout from --diet and --arch");
        }

        var variant = DietLayout.ParseVariant(request.Diet ?? "v5");
        if (variant is not { } v)
        {
            return io.Usage($"unknown --diet '{request.Diet}' (v5, v5-nosite, v6)");
        }

        if (request.Modules is null && target.PointerSize == 4)
        {
            // The bundled diet vmlinux scripts place .text at x86_64's 0xffffffff81000000, past any 32-bit address.
            return io.Usage($"a diet vmlinux.o is linked with the diet vmlinux script, whose addresses are x86_64's and do not fit {request.Arch}; give --modules N for a module tree");
        }

        SynthFault? fault = null;
        if (request.Fault is { } name)
        {
            fault = SynthFault.ByName(name);
            if (fault is null)
            {
                return io.Usage($"unknown --fault '{name}' ({string.Join(", ", SynthFault.All.Select(f => f.Name))})");
            }

            if (!fault.Variants.Contains(v))
            {
                return io.Usage($"--fault {name} does not apply to --diet {DietLayout.VariantName(v)} (only {string.Join(", ", fault.Variants.Select(DietLayout.VariantName))})");
            }

            if (fault.Script is not null && request.Modules is null)
            {
                return io.Usage($"--fault {name} is about the module linker script: give --modules");
            }

            if (request.Callsites < fault.MinCallsites && (request.Modules is null or 1))
            {
                return io.Usage($"--fault {name} needs at least {fault.MinCallsites} call sites in the image (--callsites)");
            }

            if (request.Modules is > 1 && fault.MinCallsites > 1 << 14)
            {
                return io.Usage($"--fault {name} needs one image of {fault.MinCallsites} call sites: use vmlinux.o (no --modules) or --modules 1");
            }
        }

        var layout = DietLayout.Create(v, target.PointerSize, target.BigEndian, true);
        var tag = fault is null ? layout.Name : $"{layout.Name}, fault {fault.Name}";
        return Emit(io, request, tag, (stream, module, path) =>
        {
            var units = stream.ToList(); // the fault's options look at every unit
            var broken = fault is not null && fault.AppliesTo(units);
            DietSynth.Write(path, units, target, layout, module, broken ? fault!.Options : null, broken ? fault!.Script : null, broken && fault!.ExtraHeaderUnit);
            return fault is null || broken ? "" : $" (no fault: needs {fault.MinCallsites} call sites, a unit of {fault.MinUnitCallsites})";
        });
    }

    private static int Summary(CliOutput io, SynthRequest request, int modules, List<(string Path, int Callsites, long Bytes, string Note)> written, string tag)
    {
        long bytes = 0;
        foreach (var (rel, calls, size, note) in written)
        {
            io.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{rel}: {calls} call sites, {size} bytes{note}"));
            bytes += size;
        }

        io.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{Path.Combine(request.Output, "lib", "modules", Release)}: {modules} modules, {request.Callsites} call sites, {bytes} bytes ({tag})"));
        return ExitCodes.Ok;
    }

    /// <summary>
    /// Writes every module into a temporary tree beside the final one and moves it to DIR/lib/modules/synth only
    /// when all are written, so a failure leaves the old tree (or none) in place.
    /// </summary>
    internal static List<(string Path, int Callsites, long Bytes, string Note)> WriteTree(string output, IReadOnlyList<SynthModule> modules,
        Func<SynthModule, string, string> write, ProgressLine? progress = null)
    {
        var parent = Path.Combine(output, "lib", "modules");
        Directory.CreateDirectory(parent);
        var final = Path.Combine(parent, Release);
        var temp = Path.Combine(parent, $".{Release}.{Environment.ProcessId}.tmp");
        if (Directory.Exists(temp))
        {
            Directory.Delete(temp, true);
        }

        var written = new List<(string, int, long, string)>();
        try
        {
            foreach (var mod in modules)
            {
                var path = Path.Combine(temp, mod.RelativePath);
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                var note = write(mod, path);
                written.Add((Path.Combine(final, mod.RelativePath), mod.Callsites, new FileInfo(path).Length, note));
                progress?.Report(() => $"synth: {written.Count}/{modules.Count} modules, {progress.Seconds:0.0} s");
            }

            if (Directory.Exists(final))
            {
                Directory.Delete(final, true);
            }

            Directory.Move(temp, final);
            return written;
        }
        catch
        {
            if (Directory.Exists(temp))
            {
                Directory.Delete(temp, true);
            }

            throw;
        }
    }
}
