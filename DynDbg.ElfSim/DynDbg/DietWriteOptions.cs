namespace DynDbg.ElfSim.DynDbg;

/// <summary>
/// How <see cref="DietObjectWriter"/> writes one diet object. The default is what a diet-patched compiler emits
/// (reference §6.8, §6.14, §6.15). Every other value breaks exactly one thing, so a fault generator can build each
/// invariant violation of §8 on its own; each switch names the invariant the linked image then breaks.
/// </summary>
public sealed record DietWriteOptions
{
    public static DietWriteOptions Default { get; } = new();

    /// <summary>No <c>DEFINE_DYNAMIC_DEBUG_TABLE</c> in this unit: no <c>.gnu.linkonce.dyndbg*</c> sections and no
    /// <c>_LINKONCE_*</c> symbols (§8.3/§8.4 when no other object supplies the pair).</summary>
    public bool NoHeaderPair { get; init; }

    /// <summary>Writes the header pair into the plain <c>__dyndbg</c> (v6 <c>__dyndbgs</c>) and <c>__dyndbg_sites</c>
    /// sections instead of the linkonce ones, so the linker script does not put it at element 0 (§8.3).</summary>
    public DietHeaderPlacement HeaderPlacement { get; init; } = DietHeaderPlacement.Linkonce;

    /// <summary>header.lineno; the patch's marker is 0 (§8.7). Must fit lineno:18.</summary>
    public uint HeaderLineNo { get; init; }

    /// <summary>header.format points to a string other than the site header's modname (§8.8).</summary>
    public bool HeaderFormatDiffers { get; init; }

    /// <summary>site_header.function points to a string other than its modname (§8.9).</summary>
    public bool SiteFunctionDiffers { get; init; }

    /// <summary>site_header.filename points to the source file name string instead of back at the header (§8.10).</summary>
    public bool BrokenLoopback { get; init; }

    /// <summary>header.site points to <c>sites[1]</c> instead of the site header (§8.11). Ignored for v5-nosite,
    /// whose header has no site initialiser.</summary>
    public bool HeaderSiteToSecond { get; init; }

    /// <summary>v5 only: descriptor k (0-based within the unit) points at site k+1 (wrapping) instead of its own
    /// (§8.6, §8.17); -1 for none.</summary>
    public int MisdirectedSite { get; init; } = -1;

    /// <summary>One more site record, a copy of the last, with no descriptor (§8.5).</summary>
    public bool ExtraSite { get; init; }

    /// <summary>The last descriptor has no site record (§8.5).</summary>
    public bool MissingSite { get; init; }

    /// <summary>Zero bytes appended to the descriptor section, e.g. 8: not a whole number of records (§8.1).</summary>
    public int DescriptorPadding { get; init; }

    /// <summary>Zero bytes appended to the sites section, e.g. 8: not a whole number of site records (§8.1).</summary>
    public int SitePadding { get; init; }
}
