using DynDbg.ElfSim.Diagnostics;
using DynDbg.ElfSim.DynDbg;
using DynDbg.ElfSim.Elf;
using DynDbg.ElfSim.Loading;

namespace DynDbg.ElfSim.Checks;

/// <summary>
/// The diet plan's post-load invariants (reference §8.12–8.18, §8.23) on the memory the emulated loader or
/// built-in init left (<see cref="DietLoad"/>), read the way <c>ddebug_site_get</c> reads it (v5 28/28 and v6
/// 30/34, §6.11, §6.15, §6.16): <c>dh = dp - dp->_index</c> (v6 <c>_back</c>), <c>is_dyndbg_header_pair(dh,
/// dh->site)</c> through the header view, the site <c>&amp;dh->site[dp->_index]</c> (v6 <c>_map</c>). Records are
/// taken where the compiler put them (the pointers <c>pr_debug</c> callers pass), so §7.1's overwritten header
/// format and §7.2's header union that is larger than a record show up as the failures they cause. One finding
/// per broken invariant per table: the first element, and how many elements break it.
/// </summary>
public static class PostLoadChecks
{
    public static IReadOnlyList<CheckFinding> Run(DietLoad load)
    {
        var acc = new Accumulator(load);
        var l = load.Layout;
        var m = load.Memory;
        var d = load.Descriptors;
        var r = (ulong)l.RecordSize;

        // §8.12 on the kernel's own stride (what add_module wrote, or did not reach).
        for (var k = 0; k < load.NumDescs; k++)
        {
            if (!InTable(load, k))
            {
                continue;
            }

            var idx = l.Index.Get(m.U32(DietLoader.Field(d, k, l.RecordSize, l.Unit0Offset)));
            if (idx != (uint)k)
            {
                var why = !load.BuiltIn && k >= load.NumDebug ? $": never written, add_module walked num_debug = {load.NumDebug} (§7.4)"
                    : k >= 1 << 14 ? ": _index:14 cannot hold it (§8.20)" : "";
                acc.Add(CheckIds.IndexValue, k, (ulong)k * r, $"desc[{k}].{IndexName(l)} is {idx}, expected {k}{why}");
            }
        }

        var held = load.Held;
        for (var j = 0; j < held.Count; j++)
        {
            var pos = held[j];
            if (pos + (ulong)l.Unit1Offset + 4 > load.DescriptorBytes || !InTable(load, j))
            {
                continue;
            }

            var dp = DietLoader.Field(d, 0, 0, (int)pos);
            var idx = l.Index.Get(m.U32(DietLoader.Field(dp, 0, 0, l.Unit0Offset)));
            var map = l.Map is { } mf ? mf.Get(m.U32(DietLoader.Field(dp, 0, 0, l.Unit1Offset))) : idx;
            var up = (ulong)idx * r;
            var dh = up <= pos ? dp with { Offset = dp.Offset - up } : (ElfLocation?)null;
            var dhInArray = dh is not null && pos - up + (ulong)l.HeaderUnit0Offset + 4 <= load.DescriptorBytes;
            var headerSite = dhInArray ? m.Word(DietLoader.Field(dh!.Value, 0, 0, l.HeaderSiteOffset)) : 0;

            // §8.13: up N to the header, and the header there must test as one.
            if (dh is null || pos != up)
            {
                acc.Add(CheckIds.HeaderUpN, j, pos,
                    $"desc[{j}] - {IndexName(l)} ({idx}) is {(dh is null ? "before the array" : $"+0x{pos - up:x} into it")}, not &desc[0]{Union(l, j)}", kind: "up", known: Union(l, j).Length > 0);
            }
            else if (headerSite == 0 || m.Locate(headerSite) is not { } sitep)
            {
                acc.Add(CheckIds.HeaderUpN, j, pos, $"desc[{j}]: dh->site is {(headerSite == 0 ? "NULL" : $"0x{headerSite:x}, not in the image")}: is_dyndbg_header_pair(dh, dh->site) cannot hold", kind: "site");
            }
            else if (DietLoader.HeaderPair(m, l, dh!.Value, sitep) is { Ok: false } failed)
            {
                acc.Add(CheckIds.HeaderUpN, j, pos, $"desc[{j}] reaches &desc[0], which does not test as a header pair: {failed.Why}{Overlap(l)}", known: Overlap(l).Length > 0);
            }

            if (load.BuiltIn)
            {
                if (pos != up)
                {
                    acc.Add(CheckIds.BuiltinSlot, j, pos, $"desc[{j}] is not &__start___dyndbg[{idx}] (+0x{up:x}) but +0x{pos:x}{Union(l, j)}", known: Union(l, j).Length > 0);
                }

                if (idx != (uint)j || idx >= (uint)load.NumSites)
                {
                    acc.Add(CheckIds.BuiltinSiteIndex, j, pos,
                        $"desc[{j}].{IndexName(l)} is {idx}: &__start___dyndbg_sites[{idx}] is not the site built with it (sites[{j}] of {load.NumSites}){Union(l, j)}", known: Union(l, j).Length > 0);
                }
            }

            var siteSize = (ulong)l.SiteSize;
            if (l.HasSitePointer)
            {
                var site = m.Word(DietLoader.Field(dp, 0, 0, l.SitePointerOffset));
                if (site == 0)
                {
                    continue; // +D deleted it: the checks are `if (dp->site)` (v5 22/28)
                }

                if (load.BuiltIn && site != load.SiteAddress + ((ulong)idx * siteSize))
                {
                    acc.Add(CheckIds.BuiltinSitePointer, j, pos + (ulong)l.SitePointerOffset,
                        $"desc[{j}].site 0x{site:x} != &__start___dyndbg_sites[{idx}] (0x{load.SiteAddress + ((ulong)idx * siteSize):x})");
                }

                if (!dhInArray || headerSite + ((ulong)idx * siteSize) != site)
                {
                    acc.Add(CheckIds.HeaderSiteIndex, j, pos + (ulong)l.SitePointerOffset, dhInArray
                        ? $"desc[{j}].site 0x{site:x} != &dh->site[{idx}] (0x{headerSite + ((ulong)idx * siteSize):x})"
                        : $"desc[{j}]: dp - dp->_index is outside the array, &dh->site[{idx}] is unreachable");
                }
            }
            else
            {
                var why = SiteOfFails(load, j, dhInArray, headerSite, map);
                if (why is not null)
                {
                    acc.Add(CheckIds.SiteOf, j, pos, $"site_of(desc[{j}]) = &dh->site[{map}]: {why}{Union(l, j)}", known: Union(l, j).Length > 0);
                }
            }
        }

        // §8.23: the header pair is recognised at tab[0] of a module and of the first built-in slice only.
        for (var t = 0; t < load.Tables.Count; t++)
        {
            var table = load.Tables[t];
            if (t == 0 && !table.HeaderFound && table.Count > 0)
            {
                acc.Add(CheckIds.HeaderPlace, table.First, (ulong)table.First * r,
                    $"__ddebug_add_module({table.ModName}) found no header pair at tab[0]: {table.HeaderNote}", t);
            }
            else if (t > 0 && table.HeaderFound)
            {
                acc.Add(CheckIds.HeaderPlace, table.First, (ulong)table.First * r,
                    $"slice {t} ({table.ModName}) starts with a header pair: only the first built-in slice may", t);
            }
        }

        return acc.Findings();
    }

    /// <summary>
    /// False for the elements of a slice that got no table ("skip header", "skip": §8.21–22): nothing reads them
    /// through the table. Elements past every slice (a module's tail beyond num_debug, §7.4) are still what
    /// their pr_debug callers pass, so they are checked.
    /// </summary>
    private static bool InTable(DietLoad load, int element) =>
        load.Tables.FirstOrDefault(t => element >= t.First && element < t.First + Math.Max(t.Count, 1)) is not { Created: false };

    /// <summary>Why the site reached without a site pointer is not the one built with record j, or null.</summary>
    private static string? SiteOfFails(DietLoad load, int j, bool dhInArray, ulong headerSite, uint map)
    {
        var l = load.Layout;
        var m = load.Memory;
        if (!dhInArray)
        {
            return "dh is outside the array";
        }

        if (headerSite == 0)
        {
            return "dh->site is NULL";
        }

        var target = headerSite + ((ulong)map * (ulong)l.SiteSize);
        if (m.Locate(target) is not { } loc)
        {
            return $"0x{target:x} is not in the image";
        }

        try
        {
            var got = DietSiteWords.At(m, l, loc);
            return j < load.SitesBefore.Count && got == load.SitesBefore[j] ? null : $"0x{target:x} holds another site than sites[{j}]";
        }
        catch (DiagnosticException)
        {
            return $"0x{target:x} runs past its section";
        }
    }

    private static string IndexName(DietLayout l) => l.Variant == DietVariant.V6 ? "_back" : "_index";

    private static string Union(DietLayout l, int j) => l.HeaderSize != l.RecordSize && j > 0
        ? $" (§7.2: the {l.HeaderSize}-byte header union puts record {j} {l.HeaderSize - l.RecordSize} bytes past tab[{j}])" : "";

    private static string Overlap(DietLayout l) =>
        l.Unit0Offset < l.HeaderFormatOffset + l.PointerSize && l.Unit0Offset + 4 > l.HeaderFormatOffset
            ? $" (§7.1: tab[0].{IndexName(l)} was stored over header.format)" : "";

    /// <summary>
    /// First failure and count per (ID, table). Failures of one invariant for different reasons (e.g. §7.1's header
    /// and §7.2's shifted records) keep the first message of each reason, so neither hides behind the other. A failure
    /// that the layout's own design hazard explains (<c>known</c>: §7.1, §7.2) is reported as a hazard: the profile
    /// cannot keep that invariant, which is what it is known for; a finding with any other reason stays an error.
    /// </summary>
    private sealed class Accumulator(DietLoad load)
    {
        private const int ImageWideAfter = 8;

        private readonly Dictionary<(string Id, int Table), (int Table, int Element, ulong Offset, List<(string Kind, string Message, int Count, bool Known)> Reasons)> _seen = new();
        private readonly List<(string Id, int Table)> _order = [];

        public void Add(string id, int element, ulong arrayOffset, string message, int? table = null, string kind = "", bool known = false)
        {
            // A real built-in image has hundreds of slices: past a handful, one finding per invariant for the whole
            // image (named by the first slice that breaks it) keeps the report readable.
            var t = table ?? TableOf(element);
            var key = (id, load.BuiltIn && load.Tables.Count > ImageWideAfter ? -1 : t);
            if (!_seen.TryGetValue(key, out var entry))
            {
                entry = (t, element, load.FileOffset(load.Descriptors) + arrayOffset, []);
                _seen[key] = entry;
                _order.Add(key);
            }

            var i = entry.Reasons.FindIndex(r => r.Kind == kind && r.Known == known);
            if (i < 0)
            {
                entry.Reasons.Add((kind, message, 1, known));
            }
            else
            {
                entry.Reasons[i] = entry.Reasons[i] with { Count = entry.Reasons[i].Count + 1 };
            }
        }

        public IReadOnlyList<CheckFinding> Findings() => _order.Select(k =>
        {
            var (table, element, offset, reasons) = _seen[k];
            var name = load.Tables.Count > 0 ? load.Tables[table].ModName : "(no table)";
            var where = $"{load.Layout.DescriptorSection} table '{name}'";
            var total = reasons.Sum(r => r.Count);
            var text = reasons[0].Message + string.Concat(reasons.Skip(1).Select(r => $"; {r.Count} more: {r.Message}"));
            var severity = reasons.TrueForAll(r => r.Known) ? CheckSeverity.Hazard : CheckSeverity.Error;
            return new CheckFinding(k.Id, severity, CheckIds.Reference(k.Id), where, element, offset,
                total > 1 ? $"{text} ({total} elements)" : text);
        }).ToArray();

        private int TableOf(int element)
        {
            var t = 0;
            for (var i = 0; i < load.Tables.Count; i++)
            {
                if (load.Tables[i].First <= element)
                {
                    t = i;
                }
            }

            return t;
        }
    }
}
