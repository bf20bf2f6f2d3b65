using DynDbg.ElfSim.Elf;

namespace DynDbg.ElfSim.Linking;

/// <summary>The linking entry point: <c>ld -r -T SCRIPT</c> emulation over open inputs.</summary>
public static class Linker
{
    public static LinkResult Link(LinkerScript script, IReadOnlyList<(string Name, ElfFile File)> inputs, LinkOptions? options = null) =>
        LinkEngine.Link(script, inputs, options ?? new LinkOptions());

    /// <summary>Opens the inputs (paths), links them under the script (a path or a bundled script's name), runs
    /// <paramref name="use"/> while they are still open (the result streams from them), and closes them.</summary>
    public static T WithLink<T>(IReadOnlyList<string> inputs, string scriptPath, LinkOptions options, Func<LinkResult, T> use,
        Action<IReadOnlyList<(string Name, ElfFile File)>>? opened = null)
    {
        var script = BundledScripts.Load(scriptPath);
        var files = new List<(string, ElfFile)>();
        try
        {
            foreach (var p in inputs)
            {
                files.Add((p, ElfFile.Open(p)));
            }

            opened?.Invoke(files);
            return use(Link(script, files, options));
        }
        finally
        {
            foreach (var (_, f) in files)
            {
                f.Dispose();
            }
        }
    }

    /// <summary>Links <paramref name="inputs"/> under <paramref name="scriptPath"/> into an in-memory ELF named as the
    /// ld command line, for the commands that read what the link made (load, load of diet images).</summary>
    public static ElfFile LinkToMemory(IReadOnlyList<string> inputs, string scriptPath)
    {
        var name = $"ld -r -T {scriptPath} {string.Join(' ', inputs)}";
        return ElfFile.FromBytes(name, WithLink(inputs, scriptPath, new LinkOptions(name), link => link.ToElf().ToArray()));
    }

    /// <summary>Links <paramref name="inputs"/> under <paramref name="scriptPath"/> and writes the relocatable output
    /// to <paramref name="output"/>, whole or not at all.</summary>
    public static void LinkToFile(IReadOnlyList<string> inputs, string scriptPath, string output) =>
        WithLink(inputs, scriptPath, new LinkOptions(output), l =>
        {
            l.ToElf().WriteFile(output);
            return 0;
        });
}
