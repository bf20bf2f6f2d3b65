namespace DynDbg.ElfSim.Linking;

/// <summary>
/// One statement of a linker script, at the top level of <c>SECTIONS</c> or inside an output section description.
/// Several <c>SECTIONS</c> blocks and <c>INCLUDE</c>d files are flattened into one list, as GNU ld does.
/// </summary>
public abstract record ScriptStatement(ScriptLocation Location)
{
    /// <summary>
    /// <c>NAME [ADDRESS] [(NOLOAD)] : [ALIGN(A)] { ... }</c>. <see cref="Address"/> and <see cref="Align"/> are null
    /// when absent; <c>/DISCARD/</c> is an output section named so.
    /// </summary>
    public sealed record OutputSection(string Name, ScriptExpression? Address, bool NoLoad, ScriptExpression? Align,
        IReadOnlyList<ScriptStatement> Children, ScriptLocation At) : ScriptStatement(At)
    {
        public bool IsDiscard => Name == "/DISCARD/";
    }

    /// <summary>
    /// An input section description: <c>[KEEP(] FILE(SECTION-PATTERN ...) [)]</c>. <see cref="File"/>'s pattern is
    /// <c>*</c> for any file; <see cref="Sections"/> is empty for a bare file name (all of its sections).
    /// </summary>
    public sealed record InputSections(InputPattern File, IReadOnlyList<InputPattern> Sections, bool Keep,
        ScriptLocation At) : ScriptStatement(At)
    {
        public bool AnyFile => File.Pattern == "*";

        public bool AnySorted => File.Sort == InputSort.ByName ||
                                 Sections.Any(s => s.Sort is not (InputSort.None or InputSort.ByNone));

        /// <summary>The description as GNU ld's map prints it: <c>*(SORT_BY_NAME(.ctors.*))</c> (KEEP is not shown).</summary>
        public string Print()
        {
            var sb = new System.Text.StringBuilder();
            if (File.ExcludeFiles.Count > 0)
            {
                sb.Append("EXCLUDE_FILE(").Append(InputPattern.PrintExcludes(File.ExcludeFiles)).Append(") ");
            }

            var sortFiles = File.Sort == InputSort.ByName;
            sb.Append(sortFiles ? "SORT_BY_NAME(" : "").Append(File.Pattern).Append(sortFiles ? ")" : "");
            sb.Append('(');
            for (var i = 0; i < Sections.Count; i++)
            {
                if (i > 0)
                {
                    sb.Append(' ');
                }

                sb.Append(Sections[i].PrintSection());
            }

            return sb.Append(')').ToString();
        }
    }

    /// <summary>
    /// <c>NAME = EXPR;</c> (compound operators are rewritten to <c>NAME = NAME op EXPR</c> as ld's parser does),
    /// <c>HIDDEN(...)</c>, <c>PROVIDE(...)</c>, <c>PROVIDE_HIDDEN(...)</c>.
    /// </summary>
    public sealed record Assignment(string Target, ScriptExpression Value, bool Provide, bool Hidden,
        ScriptLocation At) : ScriptStatement(At)
    {
        public bool IsDot => Target == ".";

        public string Print() => Provide ? $"PROVIDE ({Target} = {Value.Print()})" : $"{Target} = {Value.Print()}";
    }

    /// <summary><c>BYTE(e)</c>, <c>SHORT(e)</c>, <c>LONG(e)</c>, <c>QUAD(e)</c>, <c>SQUAD(e)</c>: data written into the section.</summary>
    public sealed record Data(string Keyword, int Size, ScriptExpression Value, ScriptLocation At) : ScriptStatement(At);

    /// <summary><c>ASSERT(EXPR, MESSAGE)</c>: the link fails with MESSAGE when EXPR is zero.</summary>
    public sealed record Assert(ScriptExpression Condition, string Message, ScriptLocation At) : ScriptStatement(At);

    /// <summary><c>ENTRY(SYMBOL)</c>: recorded; a relocatable output has no entry point.</summary>
    public sealed record Entry(string Symbol, ScriptLocation At) : ScriptStatement(At);
}
