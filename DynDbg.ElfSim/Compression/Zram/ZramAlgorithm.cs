namespace DynDbg.ElfSim.Compression.Zram;

/// <summary>
/// The zram compressors of 6.1 the 2020 plan is measured with (<c>/sys/block/zram0/comp_algorithm</c>);
/// <see cref="ZramAlgorithmNames"/> spells them as the kernel does: <c>lzo-rle</c> (6.1's default,
/// CONFIG_ZRAM_DEF_COMP), <c>lz4</c>, <c>lz4hc</c>, <c>zstd</c>.
/// </summary>
public enum ZramAlgorithm
{
    LzoRle,
    Lz4,
    Lz4Hc,
    Zstd,
}
