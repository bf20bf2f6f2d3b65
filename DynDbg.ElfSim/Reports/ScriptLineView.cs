namespace DynDbg.ElfSim.Reports;

/// <summary>One line of a linker script as the teaching report shows it: <see cref="Key"/> is <c>file:line</c>, the
/// form the link's placements name (<see cref="Linking.ScriptLocation.FileLine"/>), so a line and what it caught
/// find each other.</summary>
public sealed record ScriptLineView(string Key, string File, int Line, string Text);
