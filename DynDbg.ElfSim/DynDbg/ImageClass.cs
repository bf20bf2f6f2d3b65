namespace DynDbg.ElfSim.DynDbg;

/// <summary>How the kernel would consume a file's table, why, and the module's name when it is one.</summary>
public readonly record struct ImageClass(ImageKind Kind, string Reason, string? ModName);
