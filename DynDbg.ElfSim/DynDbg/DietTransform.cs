using System.Text;
using DynDbg.ElfSim.Elf;
using DynDbg.ElfSim.Linking;

namespace DynDbg.ElfSim.DynDbg;

/// <summary>
/// The diet transform (issue 4): from a mainline table (a <c>.ko</c>, <c>vmlinux.o</c>, sample object or linked
/// <c>vmlinux</c>) write the relocatable objects a diet-patched build would have produced, one per compilation unit,
/// each with its header pair (§6.8), named so that name order is link order is record order. For a loadable module
/// a last <c>.mod.o</c> carries what kbuild's <c>&lt;mod&gt;.mod.o</c> gives the 6.1 loader:
/// <c>.gnu.linkonce.this_module</c> (with <c>__this_module</c>) and <c>.modinfo</c>, copied from the input.
/// Link the objects with <see cref="ScriptFor"/>'s script: module.lds / module-v6.lds for a module,
/// vmlinux-diet-v5.lds / -v6.lds for the built-in table.
/// </summary>
public static class DietTransform
{
    /// <summary>
    /// Compilation units from the table, in record order. A unit is a run of records with the same (modname,
    /// filename): a kbuild object's records are contiguous in the linked table, and a run that repeats a file name
    /// later (a header's inline function used by two .c files) becomes its own unit, so no record moves.
    /// </summary>
    public static IReadOnlyList<CompilationUnit> Units(IReadOnlyList<DdebugRecord> records)
    {
        var units = new List<CompilationUnit>();
        var run = new List<Callsite>();
        for (var i = 0; i < records.Count; i++)
        {
            var r = records[i];
            if (run.Count > 0 && (run[0].ModName != r.Modname || run[0].FileName != r.Filename))
            {
                units.Add(Unit(run));
                run = [];
            }

            run.Add(Callsite.From(r));
        }

        if (run.Count > 0)
        {
            units.Add(Unit(run));
        }

        return units;
    }

    private static CompilationUnit Unit(List<Callsite> run) => new(run[0].ModName, Path.GetFileName(run[0].FileName), run);

    /// <summary>The bundled script that links the objects of <paramref name="variant"/> (§6.8, §6.9).</summary>
    public static string ScriptFor(DietVariant variant, bool module) => (module, variant) switch
    {
        (true, DietVariant.V6) => "module-v6.lds",
        (true, _) => "module.lds",
        (false, DietVariant.V6) => "vmlinux-diet-v6.lds",
        _ => "vmlinux-diet-v5.lds",
    };

    /// <summary>Transforms <paramref name="input"/> into <paramref name="outDir"/> (created). Each object is written
    /// whole or not at all. Raises DYN013 (no table), DYN014 (no object target for the machine) or DYN015 (already
    /// a diet image).</summary>
    public static DietTransformResult Run(ElfFile input, string outDir, DietVariant variant, Action<int, int>? progress = null) =>
        Run(ImageReader.Read(input), outDir, variant, progress);

    /// <summary>Transforms an image already read (its file still open).</summary>
    /// <param name="progress">Told (objects written, objects to write) before each object.</param>
    public static DietTransformResult Run(KernelImage read, string outDir, DietVariant variant, Action<int, int>? progress = null)
    {
        return Transform(read, variant, progress, (file, w) =>
        {
            Directory.CreateDirectory(outDir); // only once the input proved to have a table to transform
            var path = Path.Combine(outDir, file);
            w.WriteFile(path);
            return (path, new FileInfo(path).Length);
        });
    }

    /// <summary>
    /// The same objects kept in memory (each <see cref="DietObject.Path"/> is then just its name), for a caller that
    /// links and reads them at once (<c>check --diet</c> over a module tree: no temporary files, no file system work
    /// per module). The bytes are in the returned map, by object name.
    /// </summary>
    public static (DietTransformResult Result, IReadOnlyDictionary<string, byte[]> Bytes) RunInMemory(KernelImage read, DietVariant variant)
    {
        var bytes = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        var result = Transform(read, variant, null, (file, w) =>
        {
            var b = w.ToArray();
            bytes[file] = b;
            return (file, b.LongLength);
        });
        return (result, bytes);
    }

    private static DietTransformResult Transform(KernelImage read, DietVariant variant, Action<int, int>? progress,
        Func<string, ElfWriter, (string Path, long Bytes)> emit)
    {
        var input = read.File;
        if (read is not MainlineImage image)
        {
            throw new DyndbgFormatException(DyndbgErrorIds.AlreadyDiet, input.Path, "__dyndbg_sites", null,
                "already a diet-plan image (it has __dyndbg_sites): the transform takes a mainline table");
        }

        if (image.Decision is null || image.Region is null)
        {
            throw new DyndbgFormatException(DyndbgErrorIds.NothingToTransform, input.Path, "__dyndbg", null,
                "no dynamic debug table (__dyndbg) to transform");
        }

        var h = input.Header;
        var target = ObjectTarget.For(h.Machine, h.Is64, h.IsBigEndian) ?? throw new DyndbgFormatException(DyndbgErrorIds.NoDietTarget, input.Path,
            "ELF header", 18, $"machine {h.Machine} has no object target (pointer relocation type) for diet objects");
        // The input's e_flags and OS ABI (arm EABI, mips ABI bits) so the objects link with each other and the input's kind.
        target = target with { Identity = target.Identity with { Flags = h.Flags, OsAbi = h.OsAbi } };
        var mainline = image.Decision.Layout;
        var layout = DietLayout.Create(variant, mainline.PointerSize, mainline.BigEndian, mainline.JumpLabel);
        var module = image.Kind == ImageKind.Module || input.Path.EndsWith(".ko", StringComparison.Ordinal);
        var units = Units(image.Records);
        var name = module
            ? image.Tables.Count > 0 && image.Tables[0].ModName.Length > 0 ? image.Tables[0].ModName : Path.GetFileNameWithoutExtension(input.Path)
            : "vmlinux";

        var width = Math.Max(3, units.Count.ToString(System.Globalization.CultureInfo.InvariantCulture).Length);
        var objects = new List<DietObject>();
        for (var i = 0; i < units.Count; i++)
        {
            progress?.Invoke(i, units.Count);
            var u = units[i];
            var file = $"{i.ToString(System.Globalization.CultureInfo.InvariantCulture).PadLeft(width, '0')}-{Safe(Path.GetFileNameWithoutExtension(u.SourceName))}.o";
            var (path, size) = emit(file, DietObjectWriter.Build(u, target, layout));
            objects.Add(new DietObject(file, path, u.Callsites.Count, size));
        }

        if (module && ModulePart(input, target) is { } part)
        {
            var file = $"{units.Count.ToString(System.Globalization.CultureInfo.InvariantCulture).PadLeft(width, '0')}-{Safe(name)}.mod.o";
            var (path, size) = emit(file, part);
            objects.Add(new DietObject(file, path, 0, size));
        }

        var classed = image.Records.Count(r => r.ClassId >= 0 && r.ClassId != DdebugLayout.DefaultClass);
        return new DietTransformResult(input.Path, name, layout, target, module, ScriptFor(variant, module), image.Records.Count, classed, objects);
    }

    /// <summary>Links objects made by <see cref="RunInMemory"/> with the engine under the result's script, into an
    /// in-memory ELF named <paramref name="name"/>.</summary>
    public static ElfFile LinkInMemory(DietTransformResult result, IReadOnlyDictionary<string, byte[]> bytes, string name)
    {
        var inputs = result.Objects.Select(o => (o.Name, ElfFile.FromBytes(o.Name, bytes[o.Name]))).ToList();
        try
        {
            return ElfFile.FromBytes(name, Linker.Link(BundledScripts.Load(result.Script), inputs, new LinkOptions(name)).ToElf().ToArray());
        }
        finally
        {
            foreach (var (_, f) in inputs)
            {
                f.Dispose();
            }
        }
    }

    /// <summary>Links the transform's objects with the engine (<c>ld -r -T</c>) into <paramref name="output"/>,
    /// written whole or not at all, under <paramref name="script"/> (a path or bundled name; default
    /// <see cref="DietTransformResult.Script"/>).</summary>
    public static void Link(DietTransformResult result, string output, string? script = null) =>
        Linker.LinkToFile(result.Objects.Select(o => o.Path).ToList(), script ?? result.Script, output);

    /// <summary>
    /// kbuild's <c>&lt;mod&gt;.mod.o</c> as far as the loader needs it: <c>.gnu.linkonce.this_module</c> (the
    /// module's name at its start; load_module refuses a module without it, LDR002) and <c>.modinfo</c> (name=,
    /// vermagic=). The init/exit pointers are left NULL: the functions they name are not part of the transform.
    /// Null when the input has neither section (a sample .ko).
    /// </summary>
    private static ElfWriter? ModulePart(ElfFile input, ObjectTarget target)
    {
        var thisModule = input.FindSection(".gnu.linkonce.this_module");
        var modinfo = input.FindSection(".modinfo");
        if ((thisModule is null || thisModule.IsNoBits) && modinfo is null)
        {
            return null;
        }

        var w = new ElfWriter(target.Identity);
        if (thisModule is { IsNoBits: false })
        {
            var bytes = input.GetContents(thisModule).ToArray();
            foreach (var rs in input.RelocationSectionsFor(thisModule))
            {
                foreach (var r in input.GetRelocations(rs).Entries)
                {
                    if (r.Offset + (ulong)target.PointerSize <= (ulong)bytes.Length)
                    {
                        Array.Clear(bytes, (int)r.Offset, target.PointerSize);
                    }
                }
            }

            var s = w.AddSection(thisModule.Name, thisModule.Type, thisModule.Flags, ElfContent.Of(bytes));
            s.AddrAlign = thisModule.AddrAlign;
            w.AddSymbol(new ElfWriterSymbol("__this_module", 0, (ulong)bytes.Length, ElfConstants.StbGlobal, ElfConstants.SttObject, s));
        }

        if (modinfo is not null)
        {
            var s = w.AddSection(modinfo.Name, modinfo.Type, modinfo.Flags, ElfContent.Of(input.GetContents(modinfo).ToArray()));
            s.AddrAlign = modinfo.AddrAlign;
        }

        // The placeholders the arch's module.lds.h or asm/module.h adds to every module (arm64: .plt, .init.plt,
        // .text.ftrace_trampoline; ppc64: the empty NOBITS .stubs), which module_frob_arch_sections sizes at load
        // and refuses the module without.
        foreach (var name in ArchPlaceholderSections)
        {
            if (input.FindSection(name) is { } p)
            {
                var s = w.AddSection(p.Name, p.Type, p.Flags, ElfContent.Of(p.IsNoBits ? new byte[p.Size] : input.GetContents(p).ToArray()));
                s.AddrAlign = p.AddrAlign;
            }
        }

        w.AddSection(".note.GNU-stack", ElfConstants.ShtProgbits, 0);
        return w;
    }

    private static readonly string[] ArchPlaceholderSections = [".plt", ".init.plt", ".text.ftrace_trampoline", ".stubs"];

    /// <summary>A file-name-safe form of a source or module name.</summary>
    private static string Safe(string s)
    {
        var b = new StringBuilder(s.Length);
        foreach (var c in s)
        {
            b.Append(char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.' ? c : '_');
        }

        return b.Length == 0 ? "unit" : b.ToString();
    }
}
