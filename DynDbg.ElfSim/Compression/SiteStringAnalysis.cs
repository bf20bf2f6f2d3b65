using DynDbg.ElfSim.DynDbg;
using DynDbg.ElfSim.Elf;

namespace DynDbg.ElfSim.Compression;

/// <summary>
/// Finds which site strings only the site pointers use. Every relocation that patches an allocated section is a
/// use of the place it points to, except the three site slots of each callsite record themselves; a linked
/// <c>vmlinux</c> keeps them when it is built with <c>--emit-relocs</c> (Debian's is). A site string is shared when
/// any such use points into it or into a longer string it is the tail of (merged string sections). Relocations
/// whose addend the tool cannot read (REL types other than plain words) make their whole target section count
/// as shared: the figure errs towards "shared", never towards "only the sites".
/// </summary>
internal static class SiteStringAnalysis
{
    private static readonly string[] Columns = ["modname", "filename", "function"];

    public static IReadOnlyList<SiteStringUse> Measure(ElfFile file, ElfMemory memory, DdebugRegion region, DdebugLayout layout,
        IReadOnlyList<DdebugRecord> records)
    {
        var slots = SiteSlots(region, layout, records.Count);
        var (points, opaque) = OtherUses(file, memory, slots);
        var columns = new HashSet<ElfLocation>[3];
        for (var c = 0; c < 3; c++)
        {
            columns[c] = [];
        }

        foreach (var r in records)
        {
            columns[0].Add(r.ModnameAt);
            columns[1].Add(r.FilenameAt);
            columns[2].Add(r.FunctionAt);
        }

        var result = new List<SiteStringUse>(4);
        var allSpans = new List<(int Section, ulong Start, ulong End, bool SiteOnly)>();
        for (var c = 0; c < 3; c++)
        {
            var spans = columns[c].Select(loc => Span(file, loc, points, opaque)).ToList();
            allSpans.AddRange(spans);
            result.Add(Summarise(Columns[c], spans));
        }

        // A string two columns share (a modname that is also a function name) is one object: count it once.
        result.Add(Summarise("all", allSpans.Distinct().ToList()));
        return result;
    }

    private static SiteStringUse Summarise(string column, List<(int Section, ulong Start, ulong End, bool SiteOnly)> spans) =>
        new(column, spans.Count, UnionBytes(spans), spans.Count(s => s.SiteOnly), UnionBytes(spans.Where(s => s.SiteOnly)));

    /// <summary>The site slots (modname, function, filename) of every record, as (section, offset) places.</summary>
    private static HashSet<(int, ulong)> SiteSlots(DdebugRegion region, DdebugLayout layout, int count)
    {
        var slots = new HashSet<(int, ulong)>(count * 3);
        for (var i = 0; i < count; i++)
        {
            var at = region.Start + ((ulong)i * (ulong)layout.RecordSize);
            slots.Add((region.Section.Index, at + (ulong)layout.ModnameOffset));
            slots.Add((region.Section.Index, at + (ulong)layout.FunctionOffset));
            slots.Add((region.Section.Index, at + (ulong)layout.FilenameOffset));
        }

        return slots;
    }

    /// <summary>Every place another relocation points to, sorted per section, and the sections marked opaque.</summary>
    private static (Dictionary<int, ulong[]> Points, HashSet<int> Opaque) OtherUses(ElfFile file, ElfMemory memory, HashSet<(int, ulong)> slots)
    {
        var linked = memory as LinkedMemory;
        var points = new Dictionary<int, List<ulong>>();
        var opaque = new HashSet<int>();
        foreach (var rs in file.Sections.Where(s => s.IsRelocation && s.Info > 0 && s.Info < (uint)file.Sections.Count))
        {
            var target = file.Sections[(int)rs.Info];
            if (!target.IsAlloc)
            {
                continue;
            }

            var table = file.GetRelocations(rs);
            foreach (var rel in table.Entries)
            {
                var place = linked is null ? rel.Offset : rel.Offset - target.Address;
                if (slots.Contains((target.Index, place)))
                {
                    continue;
                }

                var sym = table.Symbols[(int)rel.SymbolIndex];
                if (!sym.IsInSection || sym.SectionIndex >= (uint)file.Sections.Count)
                {
                    continue;
                }

                if (!TryAddend(file, target, place, rel, out var addend))
                {
                    opaque.Add((int)sym.SectionIndex);
                    continue;
                }

                var value = unchecked(sym.Value + (ulong)addend + (ulong)InstructionTail(file.Header.Machine, rel.Type));
                ElfLocation? loc = linked is null
                    ? new ElfLocation((int)sym.SectionIndex, value)
                    : linked.SectionAt(value) is { } s ? new ElfLocation(s.Index, value - s.Address) : null;
                if (loc is { } l)
                {
                    (points.TryGetValue(l.Section, out var list) ? list : points[l.Section] = []).Add(l.Offset);
                }
            }
        }

        return (points.ToDictionary(p => p.Key, p => p.Value.Order().ToArray()), opaque);
    }

    /// <summary>RELA: r_addend. REL: the word at the place for plain word relocations (and i386 PC32/PLT32).</summary>
    private static bool TryAddend(ElfFile file, ElfSection target, ulong place, in ElfRelocation rel, out long addend)
    {
        addend = rel.Addend;
        if (rel.HasExplicitAddend)
        {
            return true;
        }

        var sem = RelocationSemantics.Of(file.Header.Machine, rel);
        var width = sem.Kind == RelocationKind.Absolute ? sem.Width
            : file.Header.Machine == ElfMachine.I386 && rel.Type is 2 or 4 ? 4 : 0;
        if (width == 0 || target.IsNoBits || place > target.Size || (ulong)width > target.Size - place)
        {
            return false;
        }

        var word = file.Endian.Word(file.GetContents(target).Slice((int)place, width), width);
        addend = width == 4 ? (int)(uint)word : (long)word;
        return true;
    }

    /// <summary>
    /// x86 PC-relative references from code carry <c>-4</c> in the addend (the displacement is relative to the end
    /// of its 4 bytes): add it back so the point is the object, not 4 bytes before it. For data (<c>.long x - .</c>)
    /// the point lands 4 bytes inside the object, which is still inside it for any string of 4 or more bytes.
    /// </summary>
    private static int InstructionTail(ElfMachine machine, uint type) => machine switch
    {
        ElfMachine.X86_64 when type is 2 or 4 or 9 or 41 or 42 => 4, // PC32, PLT32, GOTPCREL, GOTPCRELX, REX_GOTPCRELX
        ElfMachine.I386 when type is 2 or 4 => 4,                      // PC32, PLT32
        _ => 0,
    };

    /// <summary>
    /// The string at <paramref name="loc"/> as [start, end] (end = its NUL), and whether only sites use it: no other
    /// use points between the start of the NUL-delimited string that contains it and its NUL.
    /// </summary>
    private static (int, ulong, ulong, bool) Span(ElfFile file, ElfLocation loc, Dictionary<int, ulong[]> points, HashSet<int> opaque)
    {
        var data = file.GetContents(file.Sections[loc.Section]);
        var start = (int)loc.Offset;
        var nul = data[start..].IndexOf((byte)0);
        var end = (ulong)(nul < 0 ? data.Length - 1 : start + nul);
        var whole = (ulong)(data[..start].LastIndexOf((byte)0) + 1);
        var shared = opaque.Contains(loc.Section) || (points.TryGetValue(loc.Section, out var p) && AnyIn(p, whole, end));
        return (loc.Section, loc.Offset, end, !shared);
    }

    private static bool AnyIn(ulong[] sorted, ulong lo, ulong hi)
    {
        var i = Array.BinarySearch(sorted, lo);
        if (i < 0)
        {
            i = ~i;
        }

        return i < sorted.Length && sorted[i] <= hi;
    }

    private static long UnionBytes(IEnumerable<(int Section, ulong Start, ulong End, bool SiteOnly)> spans)
    {
        long total = 0;
        foreach (var group in spans.GroupBy(s => s.Section))
        {
            ulong covered = 0;
            var any = false;
            foreach (var s in group.OrderBy(s => s.Start))
            {
                if (!any || s.Start > covered)
                {
                    total += (long)(s.End - s.Start + 1);
                    covered = s.End;
                    any = true;
                }
                else if (s.End > covered)
                {
                    total += (long)(s.End - covered);
                    covered = s.End;
                }
            }
        }

        return total;
    }
}
