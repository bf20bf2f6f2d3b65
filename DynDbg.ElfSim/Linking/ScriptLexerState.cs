namespace DynDbg.ElfSim.Linking;

/// <summary>
/// GNU ld's lexer states (ld/ldlex.l) that this parser uses. They differ in what a name may contain: in
/// <see cref="Wild"/> (inside an output section's braces) <c>*</c>, <c>?</c>, <c>[</c> and <c>]</c> are part of a
/// name, in <see cref="Expression"/> <c>-</c> and <c>+</c> are operators, in <see cref="Script"/> file-name
/// characters such as <c>-</c>, <c>+</c> and <c>=</c> belong to the name.
/// </summary>
internal enum ScriptLexerState
{
    Script,
    Expression,
    Wild,
}
