namespace DynDbg.ElfSim.Control;

/// <summary>One write of a run, numbered from 1, with the control file after it when the run keeps it.</summary>
public sealed record ControlStep(int Number, string Text, ControlWriteResult Result, string? Control);
