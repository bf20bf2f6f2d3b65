using DynDbg.ElfSim.Elf;

namespace DynDbg.ElfSim.Linking;

/// <summary>The one-line errors of the linker-script front end and the layout engine, each with its stable ID.</summary>
internal static class ScriptErrors
{
    /// <summary>Like ld's <c>ld:FILE:LINE: syntax error</c>, with the column and what was found.</summary>
    public static LinkException Syntax(ScriptLocation at, string detail) =>
        new(LinkErrorIds.ScriptSyntax, at.ToString(), "", null, $"syntax error: {detail}");

    /// <summary>A construct GNU ld accepts but this emulation does not: named, so the user knows what to remove.</summary>
    public static LinkException Unsupported(ScriptLocation at, string construct, string why) =>
        new(LinkErrorIds.ScriptUnsupported, at.ToString(), "", null, $"{construct} is not supported by this ld -r emulation: {why}");

    public static LinkException Include(ScriptLocation at, string message) =>
        new(LinkErrorIds.ScriptInclude, at.ToString(), "", null, message);

    public static LinkException TooDeep(ScriptLocation at, int limit) =>
        new(LinkErrorIds.ScriptTooDeep, at.ToString(), "", null, $"expression nested too deeply (more than {limit} levels)");

    public static LinkException Evaluation(ScriptLocation at, string message) =>
        new(LinkErrorIds.ScriptEvaluation, at.ToString(), "", null, message);
}
