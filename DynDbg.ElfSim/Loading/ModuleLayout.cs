namespace DynDbg.ElfSim.Loading;

/// <summary>
/// What the 6.1 loader computes for one module before it copies anything: every allocated section's place, the
/// sizes of the core and init allocations and their text/ro/ro_after_init boundaries, and what
/// <c>find_module_sections</c> finds for dyndbg (invariant 32).
/// </summary>
public sealed record ModuleLayout(
    string ModuleName,
    IReadOnlyList<LoadedSection> Sections,
    ulong CoreSize,
    ulong CoreTextSize,
    ulong CoreRoSize,
    ulong CoreRoAfterInitSize,
    ulong InitSize,
    ulong InitTextSize,
    ulong InitRoSize,
    IReadOnlyList<string> Notes,
    ulong CoreReserved = 0,
    KernelConfig? Config = null,
    Arch.ModuleArchOptions? ArchOptions = null)
{
    // Config and ArchOptions: what the layout was computed for (null for an image that is not a module), which the
    // arch's apply_relocate_add needs too (ftrace stubs, erratum 843419).

    // CoreReserved: bytes at core+0, before the first section, that module_frob_arch_sections added to
    // core_layout.size (s390's GOT and PLT); 0 elsewhere.

    public LoadedSection? Find(string name) => Sections.FirstOrDefault(s => s.Name == name);

    /// <summary>The placed section named <paramref name="name"/> with the highest section index: the one a loop over
    /// the section headers that keeps assigning leaves (module_frob_arch_sections' <c>mod->arch.core.plt</c>).</summary>
    public LoadedSection? FindLastByIndex(string name) => Sections.Where(s => s.Name == name).MaxBy(s => s.Index);
}
