using System.Reflection;
using DynDbg.ElfSim.Elf;

namespace DynDbg.ElfSim.Linking;

/// <summary>
/// The linker scripts shipped with the tool (the repository's <c>linker/</c> folder, embedded in the assembly):
/// <c>module.lds</c> (6.1 module script with the diet plan v5 rules, the default), <c>module-v6.lds</c>,
/// <c>module-6.1.lds</c> and <c>vmlinux-dyndbg.lds</c>. A script argument that names an existing file is read from
/// disk; otherwise one of these bare names selects the bundled copy.
/// </summary>
public static class BundledScripts
{
    public const string Default = "module.lds";

    public static IReadOnlyList<string> Names { get; } = typeof(BundledScripts).Assembly.GetManifestResourceNames()
        .Where(n => n.StartsWith("linker/", StringComparison.Ordinal)).Select(n => n["linker/".Length..]).Order().ToArray();

    public static LinkerScript Load(string pathOrName)
    {
        if (File.Exists(pathOrName) || pathOrName.Contains('/'))
        {
            return ScriptParser.ParseFile(pathOrName);
        }

        return ScriptParser.Parse(pathOrName, BundledText(pathOrName));
    }

    /// <summary>The text of a script file as <see cref="Load"/> read it (a file on disk, else the bundled copy), for
    /// views that show the script's lines next to what they placed.</summary>
    public static string Text(string pathOrName) =>
        File.Exists(pathOrName) || pathOrName.Contains('/') ? File.ReadAllText(pathOrName) : BundledText(pathOrName);

    private static string BundledText(string name)
    {
        using var stream = typeof(BundledScripts).Assembly.GetManifestResourceStream("linker/" + name);
        if (stream is null)
        {
            throw new ElfFormatException(ErrorIds.UnreadableFile, name, "linker script", null,
                $"no such file, and not a bundled script ({string.Join(", ", Names)})");
        }

        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
