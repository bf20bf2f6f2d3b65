namespace DynDbg.ElfSim.Compression;

/// <summary>
/// What a store keeps resident for the life of the table, by kind: <see cref="Data"/> (pointers or compressed
/// frames), <see cref="Index"/> (offsets, checkpoints: whatever random access needs beyond the data) and
/// <see cref="Dictionary"/> (a zstd dictionary's bytes). Scratch space used only during a Get is not here but
/// in <see cref="SiteStore.WorkspaceBytes"/>.
/// </summary>
public readonly record struct SiteStoreSize(long Data, long Index, long Dictionary)
{
    public long Total => Data + Index + Dictionary;
}
