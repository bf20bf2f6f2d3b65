namespace DynDbg.ElfSim.Linking;

/// <summary>A change to an input section's bytes on the way out: a REL addend rebased by <see cref="Delta"/>, or a
/// field cleared because its relocation pointed into a discarded section.</summary>
internal readonly record struct ContentPatch(ulong Offset, RelField Field, long Delta, bool Clear);
