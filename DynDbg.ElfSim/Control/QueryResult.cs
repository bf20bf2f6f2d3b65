namespace DynDbg.ElfSim.Control;

/// <summary>One query of a write: its number within the write (as <c>vpr_info("query %d")</c> counts), its text
/// after leading blanks, and what <c>ddebug_exec_query</c> returned (matches, or a negative errno).</summary>
public sealed record QueryResult(int Index, string Text, int Rc);
