using DynDbg.ElfSim.Elf;

namespace DynDbg.ElfSim.Linking;

/// <summary>The linking entry point: <c>ld -r -T SCRIPT</c> emulation over open inputs.</summary>
public static class Linker
{
    public static LinkResult Link(LinkerScript script, IReadOnlyList<(string Name, ElfFile File)> inputs, LinkOptions? options = null) =>
        LinkEngine.Link(script, inputs, options ?? new LinkOptions());

    /// <summary>Opens the inputs (paths), links them under the script (a path or a bundled script's name), runs
    /// <paramref name="use"/> while they are still open (the result streams from them), and closes them.</summary>
    public static T WithLink<T>(IReadOnlyList<string> inputs, string scriptPath, LinkOptions options, Func<LinkResult, T> use)
    {
        var script = BundledScripts.Load(scriptPath);
        var files = new List<(string, ElfFile)>();
        try
        {
            foreach (var p in inputs)
            {
                files.Add((p, ElfFile.Open(p)));
            }

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
}
