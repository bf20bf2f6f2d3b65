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
        var (points, opaque) = OtherUses(file, memory, new SiteSlots(region, layout));
        // A column at a time, in one reused buffer sorted and made distinct in place: 16 bytes per record, where
        // hash sets of locations and lists of spans cost several times that at a million records (issue 14). A lazy
        // view decodes each record once per column.
        var buffer = new ElfLocation[records.Count];
        var columns = new ElfLocation[3][];
        var result = new List<SiteStringUse>(4);
        for (var c = 0; c < 3; c++)
        {
            var i = 0;
            foreach (var r in records)
            {
                buffer[i++] = c switch
                {
                    0 => r.ModnameAt,
                    1 => r.FilenameAt,
                    _ => r.FunctionAt,
                };
            }

            columns[c] = buffer.AsSpan(0, SortedDistinct(buffer)).ToArray();
            result.Add(Summarise(Columns[c], columns[c], file, points, opaque));
        }

        // A string two columns share (a modname that is also a function name) is one object: count it once.
        result.Add(Summarise("all", Merged(columns), file, points, opaque));
        return result;
    }

    /// <summary>The union of sorted distinct location lists, in the same order, each location once.</summary>
    private static IEnumerable<ElfLocation> Merged(ElfLocation[][] sorted)
    {
        var next = new int[sorted.Length];
        ElfLocation? last = null;
        while (true)
        {
            var pick = -1;
            for (var c = 0; c < sorted.Length; c++)
            {
                if (next[c] < sorted[c].Length && (pick < 0 || Compare(sorted[c][next[c]], sorted[pick][next[pick]]) < 0))
                {
                    pick = c;
                }
            }

            if (pick < 0)
            {
                yield break;
            }

            var loc = sorted[pick][next[pick]++];
            if (loc != last)
            {
                last = loc;
                yield return loc;
            }
        }
    }

    private static int Compare(ElfLocation a, ElfLocation b) =>
        a.Section != b.Section ? a.Section.CompareTo(b.Section) : a.Offset.CompareTo(b.Offset);

    /// <summary>
    /// Sorts <paramref name="locations"/> by section, then offset, and moves each distinct one to the front once;
    /// returns how many there are.
    /// </summary>
    private static int SortedDistinct(ElfLocation[] locations)
    {
        Array.Sort(locations, Compare);
        var n = 0;
        foreach (var loc in locations)
        {
            if (n == 0 || locations[n - 1] != loc)
            {
                locations[n++] = loc;
            }
        }

        return n;
    }

    /// <summary>One column's figures from its distinct locations in (section, offset) order.</summary>
    private static SiteStringUse Summarise(string column, IEnumerable<ElfLocation> sorted, ElfFile file, Dictionary<int, ulong[]> points, HashSet<int> opaque)
    {
        var all = new SpanUnion();
        var siteOnly = new SpanUnion();
        var strings = 0;
        var siteOnlyStrings = 0;
        foreach (var loc in sorted)
        {
            strings++;
            var (end, only) = Span(file, loc, points, opaque);
            all.Add(loc.Section, loc.Offset, end);
            if (only)
            {
                siteOnlyStrings++;
                siteOnly.Add(loc.Section, loc.Offset, end);
            }
        }

        return new SiteStringUse(column, strings, all.Bytes, siteOnlyStrings, siteOnly.Bytes);
    }

    /// <summary>
    /// The site slots (modname, function, filename) of every record: the places in the table's section that the
    /// site pointers fill, told by arithmetic instead of a set of three million places.
    /// </summary>
    private readonly record struct SiteSlots(DdebugRegion Region, DdebugLayout Layout)
    {
        public bool Contains(int section, ulong place)
        {
            if (section != Region.Section.Index || place < Region.Start || place - Region.Start >= Region.Size)
            {
                return false;
            }

            var field = (place - Region.Start) % (ulong)Layout.RecordSize;
            return field == (ulong)Layout.ModnameOffset || field == (ulong)Layout.FunctionOffset || field == (ulong)Layout.FilenameOffset;
        }
    }

    /// <summary>Every place another relocation points to, sorted per section, and the sections marked opaque.</summary>
    private static (Dictionary<int, ulong[]> Points, HashSet<int> Opaque) OtherUses(ElfFile file, ElfMemory memory, SiteSlots slots)
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

            // Entry by entry from the mapping: the table's Entries array would keep 32 bytes per relocation.
            var table = file.GetRelocations(rs);
            for (var k = 0; k < table.Count; k++)
            {
                var rel = table.At(k);
                var place = linked is null ? rel.Offset : rel.Offset - target.Address;
                if (slots.Contains(target.Index, place))
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

        return (points.ToDictionary(p => p.Key, p => Sorted(p.Value)), opaque);
    }

    private static ulong[] Sorted(List<ulong> places)
    {
        var a = places.ToArray();
        Array.Sort(a);
        return a;
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
    /// Where the string at <paramref name="loc"/> ends (its NUL), and whether only sites use it: no other
    /// use points between the start of the NUL-delimited string that contains it and its NUL.
    /// </summary>
    private static (ulong End, bool SiteOnly) Span(ElfFile file, ElfLocation loc, Dictionary<int, ulong[]> points, HashSet<int> opaque)
    {
        var data = file.GetContents(file.Sections[loc.Section]);
        var start = (int)loc.Offset;
        var nul = data[start..].IndexOf((byte)0);
        var end = (ulong)(nul < 0 ? data.Length - 1 : start + nul);
        var whole = (ulong)(data[..start].LastIndexOf((byte)0) + 1);
        var shared = opaque.Contains(loc.Section) || (points.TryGetValue(loc.Section, out var p) && AnyIn(p, whole, end));
        return (end, !shared);
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

    /// <summary>
    /// The bytes [start, end] spans cover, fed in (section, start) order: tail-merged strings that overlap count once.
    /// </summary>
    private struct SpanUnion
    {
        private int section;
        private ulong covered;
        private bool any;

        public long Bytes { get; private set; }

        public void Add(int inSection, ulong start, ulong end)
        {
            if (!any || inSection != section || start > covered)
            {
                Bytes += (long)(end - start + 1);
                covered = end;
                section = inSection;
                any = true;
            }
            else if (end > covered)
            {
                Bytes += (long)(end - covered);
                covered = end;
            }
        }
    }
}
