namespace DynDbg.ElfSim.Compression;

/// <summary>
/// One row of the study: a store's resident bytes (with their breakdown), its ratio to the raw site columns,
/// the bytes it saves against mainline (negative when it costs more), its workspace, whether it is exact, and
/// the measured times (null when timing was skipped).
/// </summary>
public sealed record StoreResult(
    string Name,
    SiteStoreSize Size,
    long RawSiteBytes,
    bool RandomAccess,
    double? GetNs,
    double? StreamNs,
    long WorkspaceBytes,
    int Mismatches,
    string Detail)
{
    public long Bytes => Size.Total;

    public double Ratio => RawSiteBytes == 0 ? 0 : (double)Bytes / RawSiteBytes;

    public long SavedBytes => RawSiteBytes - Bytes;

    public bool Exact => Mismatches == 0;
}
