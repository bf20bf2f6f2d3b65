using DynDbg.ElfSim.Elf;
using DynDbg.ElfSim.Linking;

namespace DynDbg.ElfSim.DynDbg;

/// <summary>
/// A linked diet image made from compilation units, as a diet-patched kbuild would: one
/// <see cref="DietObjectWriter"/> object per unit (plus kbuild's <c>.mod.o</c> part for a module), linked by our
/// engine under the variant's script (<see cref="DietTransform.ScriptFor"/>: module.lds, module-v6.lds, or the
/// vmlinux fragments). The objects are built and linked in memory, named as files of a private directory next to
/// the output; the output is written whole or not at all. The knobs let <c>synth --fault</c> break one thing (docs/synth.md).
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
        // The objects are named as files of a private directory next to the output, as kbuild's would be, but they
        // stay in memory: a 2^14-call-site image is some 3000 objects, and writing, reopening and deleting that many
        // files cost more than building and linking them.
        var dir = Path.Combine(Path.GetDirectoryName(full) ?? ".", $".{Path.GetFileName(full)}.{Environment.ProcessId}.objs");
        var inputs = new List<(string Name, ElfFile File)>();
        try
        {
            void Add(string name, ElfWriter w)
            {
                var path = Path.Combine(dir, name);
                inputs.Add((path, ElfFile.FromBytes(path, w.ToArray())));
            }

            var list = units.ToList();
            for (var i = 0; i < list.Count; i++)
            {
                Add($"{i:D5}.o", DietObjectWriter.Build(list[i], target, layout, options?.Invoke(i, list) ?? DietWriteOptions.Default));
            }

            if (extraHeaderUnit)
            {
                var name = moduleName ?? (list.Count > 0 ? list[0].ModName : "vmlinux");
                Add("header.o", DietObjectWriter.Build(new CompilationUnit(name, "header.c", []), target, layout,
                    new DietWriteOptions { HeaderPlacement = DietHeaderPlacement.BeforeRecords }));
            }

            if (moduleName is not null)
            {
                Add("module.mod.o", MainlineObjectWriter.ModulePart(target, moduleName, MainlineObjectWriter.VerMagic(MainlineObjectWriter.DefaultLayout(target))));
            }

            var linkerScript = BundledScripts.Load(script ?? DietTransform.ScriptFor(layout.Variant, moduleName is not null));
            Linker.Link(linkerScript, inputs, new LinkOptions(full)).ToElf().WriteFile(full);
            return new FileInfo(full).Length;
        }
        finally
        {
            foreach (var (_, f) in inputs)
            {
                f.Dispose();
            }
        }
    }
}
