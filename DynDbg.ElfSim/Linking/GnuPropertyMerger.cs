using DynDbg.ElfSim.Arch;
using DynDbg.ElfSim.Elf;

namespace DynDbg.ElfSim.Linking;

/// <summary>
/// What ld.bfd 2.40 does with <c>.note.gnu.property</c> in a link, <c>-r</c> included (ld/ldelf.c after_open calls
/// the backend's setup_gnu_properties, which calls bfd/elf-properties.c <c>_bfd_elf_link_setup_gnu_properties</c>):
/// every input's NT_GNU_PROPERTY_TYPE_0 note is parsed (<c>_bfd_elf_parse_gnu_properties</c>: a list sorted by type,
/// same types combined), the first input in load order that has properties keeps its note section, every other
/// input is merged into it one by one (<c>elf_merge_gnu_property_list</c> / <c>elf_merge_gnu_properties</c>, with
/// the backend's rules for processor types), the other inputs' notes are discarded (their output section becomes
/// the absolute section, so the map lists them as discarded), and the kept note is rewritten, sized by
/// <c>elf_get_gnu_property_section_size</c> and written by <c>elf_write_gnu_properties</c>; if nothing is left, it
/// is discarded too. ld prints "Merging program properties" and one line per change into the map.
/// What this does not emulate is refused (LNK014) rather than written differently.
/// </summary>
internal static class GnuPropertyMerger
{
    public const string SectionName = ".note.gnu.property";
    private const uint NtGnuPropertyType0 = 5;
    private const uint StackSize = 1;
    private const uint NoCopyOnProtected = 2;
    private const uint AndLo = 0xb0000000, AndHi = 0xb0007fff, OrLo = 0xb0008000, OrHi = 0xb000ffff;
    private const uint LoProc = 0xc0000000, LoUser = 0xe0000000;

    /// <summary>Runs the merge over <paramref name="ctx"/>'s inputs in load order; null when no input has properties.</summary>
    public static GnuPropertyMerge? Setup(LinkContext ctx)
    {
        var id = ctx.Identity!;
        var align = id.Is64 ? 8 : 4;
        var e = new ElfEndian(id.IsBigEndian);
        var parsed = new Dictionary<InputObject, List<GnuProperty>>();
        IGnuPropertyRules? rules = null;
        foreach (var f in ctx.LoadOrder)
        {
            var notes = f.Sections.Where(s => s.Name == SectionName).ToList();
            if (notes.Count == 0)
            {
                continue;
            }

            rules ??= GnuPropertyRules.For(id.Machine) ?? throw Refuse(notes[0],
                $"GNU property notes are merged by ld's backend ({GnuPropertyRules.BackendFunction(id.Machine)}); that merge is not emulated for this machine");
            if (notes.Count > 1)
            {
                throw Refuse(notes[1], "a second .note.gnu.property section in one file (bfd merges only the first by name) is not emulated");
            }

            var list = Parse(notes[0], rules, e, align);
            if (list.Count > 0)
            {
                parsed[f] = list;
            }
        }

        if (parsed.Count == 0)
        {
            return null;
        }

        var first = ctx.LoadOrder.First(parsed.ContainsKey);
        var result = parsed[first].Select(p => p.Copy()).ToList();
        var log = new List<string>();
        foreach (var f in ctx.LoadOrder)
        {
            if (f == first)
            {
                continue;
            }

            var b = parsed.TryGetValue(f, out var l) ? l.Select(p => p.Copy()).ToList() : [];
            MergeList(rules!, result, first.Path, b, f.Path, log);
            if (l is not null)
            {
                Discard(f.Sections.First(s => s.Name == SectionName));
            }
        }

        // _bfd_elf_link_setup_gnu_properties: the backend's fixup, then the note goes if nothing is left.
        rules!.Fixup(result, id.Is64);
        var kept = first.Sections.First(s => s.Name == SectionName);
        if (result.Count == 0)
        {
            Discard(kept);
            return new GnuPropertyMerge(log, null, result, parsed, rules!);
        }

        if (kept.RelocationSections.Any(r => r.Size > 0))
        {
            throw Refuse(kept, "relocations against .note.gnu.property (ld rewrites the note and keeps them) are not emulated");
        }

        kept.Replacement = Write(result, e, align);
        return new GnuPropertyMerge(log, kept, result, parsed, rules!);
    }

    private static void Discard(InputSection s)
    {
        s.Discarded = DiscardReason.PropertyNoteMerged;
        s.Assigned = true;
    }

    private static LinkException Refuse(InputSection s, string why) =>
        new(LinkErrorIds.LinkUnsupportedInput, s.File.Path, s.Elf.Describe(), s.Elf.HeaderOffset, why);

    /// <summary>bfd/elf.c elf_parse_notes for the section, then <c>_bfd_elf_parse_gnu_properties</c> for its
    /// GNU/NT_GNU_PROPERTY_TYPE_0 note. What ld only warns about (corrupt sizes, unsupported types) is refused.</summary>
    private static List<GnuProperty> Parse(InputSection s, IGnuPropertyRules rules, ElfEndian e, int align)
    {
        if (s.Elf.Type != ElfConstants.ShtNote)
        {
            throw Refuse(s, $"a .note.gnu.property that is not SHT_NOTE (type {s.Elf.Type}) is not emulated");
        }

        var data = s.File.Elf.GetContents(s.Elf);
        var list = new List<GnuProperty>();
        var noteAlign = s.Elf.AddrAlign == 8 ? 8 : 4;
        var at = 0;
        var seen = false;
        while (at < data.Length)
        {
            if (data.Length - at < 12)
            {
                throw Refuse(s, $"a truncated note header at offset 0x{at:x} (ld would stop reading there) is not emulated");
            }

            var namesz = e.U32(data[at..]);
            var descsz = e.U32(data[(at + 4)..]);
            var type = e.U32(data[(at + 8)..]);
            var nameAt = at + 12;
            var descAt = (long)Align((ulong)nameAt + namesz, noteAlign);
            var next = (long)Align((ulong)descAt + descsz, noteAlign);
            if (namesz > (uint)data.Length || descsz > (uint)data.Length || descAt + (long)descsz > data.Length)
            {
                throw Refuse(s, $"a note at offset 0x{at:x} runs past the section (namesz 0x{namesz:x}, descsz 0x{descsz:x}); ld's reading of it is not emulated");
            }

            var isGnu = namesz == 4 && data.Slice(nameAt, 4).SequenceEqual("GNU\0"u8);
            if (!isGnu || type != NtGnuPropertyType0 || seen)
            {
                throw Refuse(s, $"a note other than one GNU NT_GNU_PROPERTY_TYPE_0 (at offset 0x{at:x}, type {type}) in .note.gnu.property is not emulated");
            }

            seen = true;
            ParseProperties(s, data.Slice((int)descAt, (int)descsz), list, rules, e, align);
            at = (int)Math.Min(next, data.Length);
        }

        return list;
    }

    private static void ParseProperties(InputSection s, ReadOnlySpan<byte> desc, List<GnuProperty> list, IGnuPropertyRules rules, ElfEndian e, int align)
    {
        if (desc.Length < 8 || desc.Length % align != 0)
        {
            throw Refuse(s, $"GNU_PROPERTY_TYPE_0 descsz 0x{desc.Length:x} (ld: \"corrupt GNU_PROPERTY_TYPE (5) size\", properties ignored) is not emulated");
        }

        var at = 0;
        while (at != desc.Length)
        {
            if (desc.Length - at < 8)
            {
                throw Refuse(s, "a GNU property header cut short by the note's end (ld: \"corrupt GNU_PROPERTY_TYPE (5) size\") is not emulated");
            }

            var type = e.U32(desc[at..]);
            var datasz = e.U32(desc[(at + 4)..]);
            at += 8;
            if (datasz > (uint)(desc.Length - at))
            {
                throw Refuse(s, $"GNU property 0x{type:x} datasz 0x{datasz:x} runs past the note (ld clears the file's properties) is not emulated");
            }

            uint? size;
            var or = true;
            if (type >= LoProc)
            {
                size = type < LoUser ? rules.NumberSize(type) : null;
            }
            else if (type == StackSize)
            {
                size = (uint)align;
                or = false;
            }
            else if (type == NoCopyOnProtected)
            {
                size = 0;
            }
            else
            {
                size = type is >= AndLo and <= AndHi or >= OrLo and <= OrHi ? 4 : null;
            }

            if (size is null)
            {
                throw Refuse(s, $"GNU property type 0x{type:x}, which ld 2.40 reports as unsupported and drops, is not emulated");
            }

            if (datasz != size)
            {
                throw Refuse(s, $"GNU property 0x{type:x} with datasz 0x{datasz:x} (ld: corrupt, the file's properties cleared) is not emulated");
            }

            var value = datasz == 0 ? 0 : e.Word(desc[at..], (int)datasz);
            var p = Get(list, type, datasz);
            p.Number = or ? p.Number | value : value;
            at += (int)Align(datasz, align);
            at = Math.Min(at, desc.Length);
        }
    }

    /// <summary><c>_bfd_elf_get_property</c>: the list is kept sorted by type; an existing entry is reused.</summary>
    private static GnuProperty Get(List<GnuProperty> list, uint type, uint datasz)
    {
        var i = 0;
        for (; i < list.Count; i++)
        {
            if (list[i].Type == type)
            {
                list[i].DataSize = Math.Max(list[i].DataSize, datasz);
                return list[i];
            }

            if (type < list[i].Type)
            {
                break;
            }
        }

        var p = new GnuProperty(type, datasz, 0);
        list.Insert(i, p);
        return p;
    }

    /// <summary>ld's %W (ldmisc.c vfinfo): the number in hex with 0x, right-aligned in 10 columns.</summary>
    private static string W(uint v) => $"0x{v:x}".PadLeft(10);

    private static ulong Align(ulong v, int a) => (v + (ulong)a - 1) & ~((ulong)a - 1);

    /// <summary><c>elf_merge_gnu_property_list</c>: merges file B's list into the kept list, logging as ld's minfo does.</summary>
    private static void MergeList(IGnuPropertyRules rules, List<GnuProperty> a, string aName, List<GnuProperty> b, string bName, List<string> log)
    {
        for (var i = 0; i < a.Count;)
        {
            var p = a[i];
            var number = p.Number;
            var pr = b.FirstOrDefault(x => x.Type == p.Type);
            if (pr is not null)
            {
                b.Remove(pr);
            }

            Merge(rules, p, pr);
            if (p.Removed)
            {
                log.Add(pr is not null
                    ? $"Removed property {W(p.Type)} to merge {aName} (0x{number:x}) and {bName} (0x{pr.Number:x})"
                    : $"Removed property {W(p.Type)} to merge {aName} (0x{number:x}) and {bName} (not found)");
                a.RemoveAt(i);
                continue;
            }

            if (pr is not null)
            {
                if (p.Number != number || p.Number != pr.Number)
                {
                    log.Add($"Updated property {W(p.Type)} (0x{p.Number:x}) to merge {aName} (0x{number:x}) and {bName} (0x{pr.Number:x})");
                }
            }
            else if (p.Number != number)
            {
                log.Add($"Updated property {W(p.Type)} ({p.Number:x}) to merge {aName} (0x{number:x}) and {bName} (not found)");
            }

            i++;
        }

        foreach (var p in b)
        {
            var number = p.Number;
            if (Merge(rules, null, p))
            {
                Get(a, p.Type, p.DataSize).Number = p.Number;
            }
            else if (a.All(x => x.Type != p.Type))
            {
                log.Add($"Removed property {W(p.Type)} to merge {aName} (not found) and {bName} (0x{number:x})");
            }
        }
    }

    /// <summary><c>elf_merge_gnu_properties</c>: processor types go to the backend, the rest follow the generic rules.</summary>
    private static bool Merge(IGnuPropertyRules rules, GnuProperty? a, GnuProperty? b)
    {
        var type = (a ?? b)!.Type;
        if (type is >= LoProc and < LoUser)
        {
            return rules.Merge(a, b);
        }

        switch (type)
        {
            case StackSize when a is not null && b is not null:
                if (b.Number > a.Number)
                {
                    a.Number = b.Number;
                    return true;
                }

                return false;
            case StackSize:
            case NoCopyOnProtected:
                return a is null;
            case >= OrLo and <= OrHi:
                return MergeOr(a, b);
            default: // the AND range, the only other kind the parser keeps
                return MergeAnd(a, b);
        }
    }

    /// <summary>elf_merge_gnu_properties' UINT32_OR rule, which x86's OR range follows too: every input's bits; the
    /// property stays where an input lacks it and goes only when no bit is left; one only in B is added if non-zero.</summary>
    internal static bool MergeOr(GnuProperty? a, GnuProperty? b)
    {
        if (a is not null && b is not null)
        {
            var old = a.Number;
            a.Number |= b.Number;
            if (a.Number == 0)
            {
                a.Removed = true;
                return true;
            }

            return old != a.Number;
        }

        if (a is not null)
        {
            a.Removed = a.Number == 0;
            return a.Removed;
        }

        return b!.Number != 0;
    }

    /// <summary>elf_merge_gnu_properties' UINT32_AND rule, which x86's AND range follows too without -z options: the
    /// common bits; the property goes where an input lacks it or no bit is left.</summary>
    internal static bool MergeAnd(GnuProperty? a, GnuProperty? b)
    {
        if (a is not null && b is not null)
        {
            var old = a.Number;
            a.Number &= b.Number;
            a.Removed = a.Number == 0;
            return old != a.Number;
        }

        if (a is not null)
        {
            a.Removed = true;
            return true;
        }

        return false;
    }

    /// <summary><c>elf_get_gnu_property_section_size</c> and <c>elf_write_gnu_properties</c>.</summary>
    private static byte[] Write(List<GnuProperty> list, ElfEndian e, int align)
    {
        var size = 16UL;
        foreach (var p in list)
        {
            size = Align(size + 8 + DataSize(p, align), align);
        }

        var bytes = new byte[size];
        e.Put32(bytes, 4);
        e.Put32(bytes.AsSpan(4), (uint)(size - 16));
        e.Put32(bytes.AsSpan(8), NtGnuPropertyType0);
        "GNU\0"u8.CopyTo(bytes.AsSpan(12));
        var at = 16UL;
        foreach (var p in list)
        {
            var datasz = DataSize(p, align);
            e.Put32(bytes.AsSpan((int)at), p.Type);
            e.Put32(bytes.AsSpan((int)at + 4), datasz);
            at += 8;
            if (datasz is 4 or 8)
            {
                e.PutWord(bytes.AsSpan((int)at), p.Number, (int)datasz);
            }

            at = Align(at + datasz, align);
        }

        return bytes;
    }

    private static uint DataSize(GnuProperty p, int align) => p.Type == StackSize ? (uint)align : p.DataSize;
}
