namespace DynDbg.ElfSim.Fuzz;

/// <summary>A fuzz target's own oracle failed (a lossless store that is not exact, an error that is not one line):
/// a bug, reported to AFL as a crash like any exception that is not ours.</summary>
public sealed class FuzzOracleException(string message) : Exception(message);
