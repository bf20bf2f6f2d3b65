namespace DynDbg.ElfSim.Linking;

/// <summary>An entry of <see cref="BfdHashOrder{T}"/> carries its own hash and chain link, as bfd's
/// <c>struct bfd_hash_entry</c> does (a separate chain node per symbol cost 48 bytes each).</summary>
internal interface IBfdHashEntry<T> where T : class
{
    string Name { get; }

    ulong BfdHash { get; set; }

    T? BfdNext { get; set; }
}
