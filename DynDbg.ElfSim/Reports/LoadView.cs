using DynDbg.ElfSim.Loading;

namespace DynDbg.ElfSim.Reports;

/// <summary>Panel 2: where the 6.1 module loader puts every allocated section (<see cref="Layout"/>); the bases when
/// the image was actually loaded (diet images), else offsets only; or the kernel's refusal.</summary>
public sealed record LoadView(ModuleLayout? Layout, ulong? CoreBase, ulong? InitBase, string? Refusal);
