namespace DynDbg.ElfSim.DynDbg;

/// <summary>
/// The call sites of one translation unit, in source order: what one <c>.o</c> of a kbuild build holds. In a diet
/// build each unit also carries its own header pair (v5 18/28's <c>DEFINE_DYNAMIC_DEBUG_TABLE</c>), which the
/// linker's <c>.gnu.linkonce</c> rule then keeps once per linked image (reference §6.8, invariant 4).
/// </summary>
public sealed record CompilationUnit(string ModName, string SourceName, IReadOnlyList<Callsite> Callsites);
