using DynDbg.ElfSim.Diagnostics;
using DynDbg.ElfSim.DynDbg;
using DynDbg.ElfSim.Elf;

namespace DynDbg.ElfSim.Loading;

/// <summary>
/// One record's way to its site after load, as <c>ddebug_site_get</c> takes it (v5 28/28, v6 30/34; reference
/// §6.11, §6.15, §6.16): the record where the compiler put it (<see cref="DietLoad.Held"/>), its <c>_index</c>
/// (v6 <c>_back</c>), <c>dh = dp - dp->_index</c>, <c>dh->site</c>, and <c>&amp;dh->site[dp->_index]</c> (v6
/// <c>_map</c>), every step as a final address; with SITE_CHK also <c>dp->site</c>; and why dh is not a header pair
/// (<see cref="NotAHeader"/>, null when it is one). It only reads: the verdicts
/// stay with <see cref="Checks.PostLoadChecks"/>, and the comparisons here are what a picture colours by.
/// </summary>
public sealed record DietWalk(
    int Element,
    ulong Record,
    uint Index,
    uint SiteIndex,
    ulong? Header,
    ulong HeaderSite,
    ulong? SitePointer,
    ulong? SiteReached,
    ulong SiteExpected,
    bool SiteMatches,
    string? NotAHeader)
{
    /// <summary>The walks of the first <paramref name="max"/> records (element 0 is the header pair itself).</summary>
    public static IReadOnlyList<DietWalk> Of(DietLoad load, int max)
    {
        var held = load.Held;
        var result = new List<DietWalk>();
        for (var j = 0; j < Math.Min(held.Count, max); j++)
        {
            if (held[j] + (ulong)load.Layout.Unit1Offset + 4 > load.DescriptorBytes)
            {
                break;
            }

            result.Add(Walk(load, j, held[j]));
        }

        return result;
    }

    private static DietWalk Walk(DietLoad load, int j, ulong pos)
    {
        var l = load.Layout;
        var m = load.Memory;
        var dp = DietLoader.Field(load.Descriptors, 0, 0, (int)pos);
        var idx = l.Index.Get(m.U32(DietLoader.Field(dp, 0, 0, l.Unit0Offset)));
        var map = l.Map is { } mf ? mf.Get(m.U32(DietLoader.Field(dp, 0, 0, l.Unit1Offset))) : idx;
        var up = (ulong)idx * (ulong)l.RecordSize;
        var dh = up <= pos && pos - up + (ulong)l.HeaderUnit0Offset + 4 <= load.DescriptorBytes ? dp with { Offset = dp.Offset - up } : (ElfLocation?)null;
        var headerSite = dh is { } h ? m.Word(DietLoader.Field(h, 0, 0, l.HeaderSiteOffset)) : 0;
        ulong? reached = dh is null || headerSite == 0 ? null : headerSite + ((ulong)map * (ulong)l.SiteSize);
        // What dh is: is_dyndbg_header_pair(dh, dh->site) through the header view, as ddebug_site_get tests it.
        var notAHeader = dh is not { } at ? "dp - dp->_index is outside the array"
            : headerSite == 0 ? "dh->site is NULL"
            : m.Locate(headerSite) is not { } sitep ? $"dh->site 0x{headerSite:x} is not in the image"
            : DietLoader.HeaderPair(m, l, at, sitep) is { Ok: false } failed ? failed.Why : null;
        return new DietWalk(j, m.Address(dp), idx, map, dh is { } d ? m.Address(d) : null, headerSite,
            l.HasSitePointer ? m.Word(DietLoader.Field(dp, 0, 0, l.SitePointerOffset)) : null,
            reached, load.SiteAddress + ((ulong)j * (ulong)l.SiteSize), reached is { } r && SameSite(load, j, r), notAHeader);
    }

    /// <summary>Whether the site at <paramref name="address"/> is the one built with record j (v6 packing moves
    /// sites, so the words are compared with the sites as they were before the loader's writes).</summary>
    private static bool SameSite(DietLoad load, int j, ulong address)
    {
        var m = load.Memory;
        if (j >= load.SitesBefore.Count || m.Locate(address) is not { } loc)
        {
            return false;
        }

        try
        {
            return DietSiteWords.At(m, load.Layout, loc) == load.SitesBefore[j];
        }
        catch (DiagnosticException)
        {
            return false;
        }
    }
}
