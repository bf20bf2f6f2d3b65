namespace DynDbg.ElfSim.Loading;

/// <summary>
/// One allocated section after <c>layout_sections</c>/<c>layout_symtab</c>: its region, its offset from the region's
/// base (what the loader keeps in sh_entsize) and the layout pass that placed it. <see cref="Flags"/> are the
/// section flags as the loader sees them then (SHF_ALLOC added to .symtab/.strtab, SHF_RO_AFTER_INIT added).
/// </summary>
public sealed record LoadedSection(int Index, string Name, ModuleRegion Region, ulong Offset, ulong Size, ulong Align, ulong Flags, string Pass)
{
    /// <summary>The final address for region bases <paramref name="coreBase"/>/<paramref name="initBase"/> (move_module).</summary>
    public ulong AddressFrom(ulong coreBase, ulong initBase) => (Region == ModuleRegion.Init ? initBase : coreBase) + Offset;

    /// <summary>sh_type is SHT_NOBITS once the arch hook ran (arm64's PLT sections): nothing is copied, the memory is zero.</summary>
    public bool NoBits { get; init; }

    /// <summary><c>sect_empty</c> in kernel/module/internal.h: /sys/module/*/sections lists only non-empty ALLOC sections.</summary>
    public bool InSysfs => Size != 0;
}
