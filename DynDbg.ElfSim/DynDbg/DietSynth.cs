using DynDbg.ElfSim.Linking;

namespace DynDbg.ElfSim.DynDbg;

/// <summary>
/// A linked diet image made from compilation units, as a diet-patched kbuild would: one
/// <see cref="DietObjectWriter"/> object per unit (plus kbuild's <c>.mod.o</c> part for a module), linked by our
/// engine under the variant's script (<see cref="DietTransform.ScriptFor"/>: module.lds, module-v6.lds, or the
/// vmlinux fragments). The objects live in a private directory next to the output, removed afterwards; the output
/// is written whole or not at all. The knobs let <c>synth --fault</c> break one thing (docs/synth.md).
/// </summary>
public static class DietSynth
{
    /// <param name="units">the image's call sites, one object each (a module's units must all carry its name)</param>
    /// <param name="moduleName">null: a built-in image (vmlinux.o); otherwise a loadable module of that name</param>
    /// <param name="options">each unit's write options by (unit index, all units); null: the defaults</param>
    /// <param name="script">a bundled script name or path instead of the variant's</param>
    /// <param name="extraHeaderUnit">also link, last, an object with no call sites whose header pair sits in the
    /// plain sections (a second header, §8.4)</param>
    /// <returns>the output's size in bytes</returns>
    public static long Write(string output, IEnumerable<CompilationUnit> units, ObjectTarget target, DietLayout layout, string? moduleName,
        Func<int, IReadOnlyList<CompilationUnit>, DietWriteOptions>? options = null, string? script = null, bool extraHeaderUnit = false)
    {
        var full = Path.GetFullPath(output);
        var dir = Path.Combine(Path.GetDirectoryName(full) ?? ".", $".{Path.GetFileName(full)}.{Environment.ProcessId}.objs");
        try
        {
            Directory.CreateDirectory(dir);
            var list = units.ToList();
            var paths = new List<string>();
            for (var i = 0; i < list.Count; i++)
            {
                var path = Path.Combine(dir, $"{i:D5}.o");
                DietObjectWriter.Write(path, list[i], target, layout, options?.Invoke(i, list) ?? DietWriteOptions.Default);
                paths.Add(path);
            }

            if (extraHeaderUnit)
            {
                var path = Path.Combine(dir, "header.o");
                var name = moduleName ?? (list.Count > 0 ? list[0].ModName : "vmlinux");
                DietObjectWriter.Write(path, new CompilationUnit(name, "header.c", []), target, layout,
                    new DietWriteOptions { HeaderPlacement = DietHeaderPlacement.BeforeRecords });
                paths.Add(path);
            }

            if (moduleName is not null)
            {
                var path = Path.Combine(dir, "module.mod.o");
                MainlineObjectWriter.ModulePart(target, moduleName, MainlineObjectWriter.VerMagic(MainlineObjectWriter.DefaultLayout(target))).WriteFile(path);
                paths.Add(path);
            }

            Linker.WithLink(paths, script ?? DietTransform.ScriptFor(layout.Variant, moduleName is not null), new LinkOptions(full), l =>
            {
                l.ToElf().WriteFile(full);
                return 0;
            });
            return new FileInfo(full).Length;
        }
        finally
        {
            if (Directory.Exists(dir))
            {
                Directory.Delete(dir, recursive: true);
            }
        }
    }
}
