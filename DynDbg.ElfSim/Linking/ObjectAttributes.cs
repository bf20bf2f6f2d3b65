using System.Text;
using DynDbg.ElfSim.Elf;

namespace DynDbg.ElfSim.Linking;

/// <summary>
/// Build attributes (<c>.ARM.attributes</c>, <c>.riscv.attributes</c>, <c>.gnu.attributes</c>) as bfd/elf-attrs.c
/// holds them: per vendor (the processor's, then "gnu"), the known tags 0-76 in a table and the others in a list
/// sorted by tag, each with an integer and/or a string. ld does not copy these sections: it parses every input's
/// (<c>_bfd_elf_parse_attributes</c>), merges them into the output's (the backend's merge_private_bfd_data, the
/// first input with the section copied whole), and <c>bfd_elf_final_link</c> writes the output section from the
/// merged set (<c>bfd_elf_set_obj_attr_contents</c>): default values dropped, tags in the backend's order. So even
/// one input's section can come out shorter than it went in.
/// </summary>
internal sealed partial class ObjectAttributes
{
    private const int KnownTags = 77; // NUM_KNOWN_OBJ_ATTRIBUTES
    private const int TagFile = 1;
    private const int TagCompatibility = 32;
    private const int TagNoDefaults = 64;
    private const int TagConformance = 67;
    private const int IntVal = 1, StrVal = 2, NoDefault = 4; // ATTR_TYPE_FLAG_*

    private readonly record struct Attribute(int Tag, int Type, uint Int, string? Str);

    private readonly ElfMachine _machine;
    private readonly List<Attribute>[] _vendors = [[], []]; // OBJ_ATTR_PROC, OBJ_ATTR_GNU; later duplicates replace earlier ones

    private ObjectAttributes(ElfMachine machine) => _machine = machine;

    /// <summary>The backends whose attribute merge is emulated, and their section (<c>elf_backend_obj_attrs_section</c>).</summary>
    public static string? SectionName(ElfMachine machine) => machine switch
    {
        ElfMachine.Arm => ".ARM.attributes",
        ElfMachine.RiscV => ".riscv.attributes",
        ElfMachine.Mips => ".gnu.attributes", // GNU vendor only (Tag_GNU_MIPS_ABI_FP, _MSA)
        _ => null,
    };

    private string? ProcVendor => _machine switch
    {
        ElfMachine.Arm => "aeabi",
        ElfMachine.RiscV => "riscv",
        _ => null,
    };

    private const uint ShtProcAttributes = 0x70000003; // SHT_ARM_ATTRIBUTES, SHT_RISCV_ATTRIBUTES
    internal const uint ShtGnuAttributes = 0x6ffffff5;

    /// <summary>
    /// The output's attributes for <paramref name="ctx"/>'s inputs, or null when no input has the backend's section:
    /// elf32-arm.c <c>elf32_arm_merge_eabi_attributes</c> / elfnn-riscv.c <c>riscv_merge_attributes</c> skip inputs
    /// without it and copy the first one's. RISC-V merges tag by tag (<see cref="MergeRiscv"/>), ARM for the tags whose
    /// rules are emulated (<see cref="MergeArm"/>); on MIPS a later input is accepted when it says the same.
    /// </summary>
    public static byte[]? Merge(LinkContext ctx)
    {
        var id = ctx.Identity!;
        if (SectionName(id.Machine) is not { } name)
        {
            return null;
        }

        ObjectAttributes? merged = null;
        InputObject? first = null;
        var differed = new SortedSet<(int Vendor, int Tag)>();
        foreach (var f in ctx.LoadOrder)
        {
            ObjectAttributes? attrs = null;
            if (id.Machine == ElfMachine.RiscV && f.Sections.Count > 0)
            {
                attrs = Parse(f, id);
                RiscvCheckCompatibility(attrs, f);
            }

            // ARM and RISC-V skip an input without the section; mips_elf_merge_obj_attributes copies the first input
            // whatever it holds (then an input without attributes makes an empty set).
            if (f.Sections.Count == 0 || (id.Machine != ElfMachine.Mips && f.Elf.FindSection(name) is null))
            {
                continue;
            }

            attrs ??= Parse(f, id); // parsed once, for the check above and the merge
            if (merged is null)
            {
                merged = attrs;
                first = f;
                if (id.Machine == ElfMachine.Arm)
                {
                    merged.ArmFirstObjectFixups();
                }

                continue;
            }

            // Tags are unique in each set and written in one order, so "any difference" here is FirstDifference's.
            var diffs = id.Machine is ElfMachine.RiscV or ElfMachine.Arm ? attrs.Differences(merged).ToList() : [];
            if (diffs.Count > 0)
            {
                // In words for explain, before the merge changes the output's values.
                differed.UnionWith(diffs);
                ctx.AttributeLog.Add($"{f.Path}: " + string.Join(", ", diffs.Select(d =>
                    $"{merged.TagName(d.Vendor, d.Tag)} {Show(attrs.Get(d.Vendor, d.Tag))} against {Show(merged.Get(d.Vendor, d.Tag))}")));
            }

            if (id.Machine == ElfMachine.RiscV)
            {
                merged.MergeRiscv(attrs, f, id.Is64);
                continue;
            }

            if (id.Machine == ElfMachine.Arm)
            {
                if (diffs.Count > 0)
                {
                    merged.MergeArm(attrs, f);
                }

                continue;
            }

            if (attrs.FirstDifference(merged) is { } diff)
            {
                throw Refuse(f, id.Machine,
                    $"its build attributes differ from {first!.Path}'s ({diff}); how ld merges differing attributes " +
                    "tag by tag is not emulated");
            }
        }

        if (differed.Count > 0)
        {
            ctx.AttributeLog.Insert(0, $"{name}: the inputs' build attributes differ; merged as ld does " +
                $"({(id.Machine == ElfMachine.RiscV ? "riscv_merge_attributes" : "elf32_arm_merge_eabi_attributes")}), in load order");
            ctx.AttributeLog.Add("output: " + string.Join(", ", differed.Select(d => $"{merged!.TagName(d.Vendor, d.Tag)} {Show(merged.Get(d.Vendor, d.Tag))}")));
        }

        return merged?.Write(id.IsBigEndian);
    }

    /// <summary>Each attribute, by vendor and tag, whose written value is not the same in both.</summary>
    private IEnumerable<(int Vendor, int Tag)> Differences(ObjectAttributes other)
    {
        for (var v = 0; v < 2; v++)
        {
            var mine = Written(v).ToList();
            var theirs = other.Written(v).ToList();
            foreach (var tag in mine.Select(a => a.Tag).Union(theirs.Select(a => a.Tag)).Order())
            {
                if (mine.FirstOrDefault(a => a.Tag == tag) != theirs.FirstOrDefault(a => a.Tag == tag))
                {
                    yield return (v, tag);
                }
            }
        }
    }

    /// <summary>A tag's name as readelf -A spells it, or "vendor tag N".</summary>
    private string TagName(int vendor, int tag) =>
        vendor == 0 && (_machine == ElfMachine.Arm ? ArmTagNames : _machine == ElfMachine.RiscV ? RiscvTagNames : null) is { } names
            && names.TryGetValue(tag, out var n) ? n : $"{(vendor == 0 ? ProcVendor : "gnu")} tag {tag}";

    private static readonly Dictionary<int, string> RiscvTagNames = new()
    {
        [4] = "Tag_RISCV_stack_align", [5] = "Tag_RISCV_arch", [6] = "Tag_RISCV_unaligned_access",
        [8] = "Tag_RISCV_priv_spec", [10] = "Tag_RISCV_priv_spec_minor", [12] = "Tag_RISCV_priv_spec_revision",
    };

    private static string Show(Attribute? a) => a is { } x ? (x.Str is { } s ? $"\"{s}\"" : x.Int.ToString(System.Globalization.CultureInfo.InvariantCulture)) : "not set";

    /// <summary><c>_bfd_elf_parse_attributes</c> over every attribute section of the file (by type), in section order.</summary>
    private static ObjectAttributes Parse(InputObject f, ElfIdentity id)
    {
        var a = new ObjectAttributes(id.Machine);
        foreach (var s in f.Sections)
        {
            if (s.Elf.Type is ShtProcAttributes or ShtGnuAttributes && s.Elf.Size > 0)
            {
                a.ParseSection(f.Elf.GetContents(s.Elf), id.IsBigEndian);
            }
        }

        return a;
    }

    private void ParseSection(ReadOnlySpan<byte> c, bool bigEndian)
    {
        if (c.Length == 0 || c[0] != 'A')
        {
            return;
        }

        var p = 1;
        while (p < c.Length)
        {
            var len = (ulong)(c.Length - p);
            if (len < 4)
            {
                return;
            }

            ulong sectionLen = new ElfEndian(bigEndian).Word(c[p..], 4);
            p += 4;
            if (sectionLen == 0)
            {
                return;
            }

            sectionLen = Math.Min(sectionLen, len);
            if (sectionLen <= 4)
            {
                return;
            }

            sectionLen -= 4;
            var nameLen = c.Slice(p, (int)sectionLen).IndexOf((byte)0) is var z and >= 0 ? z + 1 : (int)sectionLen + 1;
            if ((ulong)nameLen >= sectionLen)
            {
                return;
            }

            var vendorName = Encoding.ASCII.GetString(c.Slice(p, nameLen - 1));
            int vendor;
            if (ProcVendor is { } pv && vendorName == pv)
            {
                vendor = 0;
            }
            else if (vendorName == "gnu")
            {
                vendor = 1;
            }
            else
            {
                p += (int)sectionLen; // another vendor's: ignored
                continue;
            }

            p += nameLen;
            sectionLen -= (ulong)nameLen;
            while (sectionLen > 0)
            {
                var orig = p;
                var tag = Uleb(c, ref p, c.Length);
                if (c.Length - p < 4)
                {
                    return;
                }

                ulong sub = new ElfEndian(bigEndian).Word(c[p..], 4);
                p += 4;
                sub = Math.Min(sub, sectionLen);
                sectionLen -= sub;
                var end = orig + (long)sub;
                if (end < p)
                {
                    return;
                }

                if (tag != TagFile)
                {
                    p = (int)end; // Tag_Section, Tag_Symbol and unknown: ignored
                    continue;
                }

                while (p < end)
                {
                    var t = (int)Uleb(c, ref p, (int)end);
                    var type = ArgType(vendor, t);
                    uint i = 0;
                    string? str = null;
                    if ((type & IntVal) != 0)
                    {
                        i = Uleb(c, ref p, (int)end);
                    }

                    if ((type & StrVal) != 0)
                    {
                        var rest = c[p..(int)end];
                        var n = rest.IndexOf((byte)0) is var k and >= 0 ? k : rest.Length;
                        str = Encoding.UTF8.GetString(rest[..n]);
                        p += n + (n < rest.Length ? 1 : 0);
                    }

                    Add(vendor, new Attribute(t, type, i, str));
                }
            }
        }
    }

    private void Add(int vendor, Attribute a)
    {
        var list = _vendors[vendor];
        if (a.Tag < KnownTags)
        {
            var at = list.FindIndex(x => x.Tag == a.Tag);
            if (at >= 0)
            {
                list[at] = a; // a known tag has one slot
                return;
            }
        }

        list.Add(a);
    }

    /// <summary><c>_bfd_elf_obj_attrs_arg_type</c>: elf32_arm_obj_attrs_arg_type, riscv_elf_obj_attrs_arg_type,
    /// gnu_obj_attrs_arg_type.</summary>
    private int ArgType(int vendor, int tag)
    {
        if (vendor == 1 || _machine != ElfMachine.Arm)
        {
            return vendor == 1 && tag == TagCompatibility ? IntVal | StrVal : (tag & 1) != 0 ? StrVal : IntVal;
        }

        return tag switch
        {
            TagCompatibility => IntVal | StrVal,
            TagNoDefaults => IntVal | NoDefault,
            4 or 5 => StrVal, // Tag_CPU_raw_name, Tag_CPU_name
            < 32 => IntVal,
            _ => (tag & 1) != 0 ? StrVal : IntVal,
        };
    }

    /// <summary>elf32_arm_merge_eabi_attributes, first object: Tag_MPextension_use_legacy (70) moves to
    /// Tag_MPextension_use (42); Tag_ABI_HardFP_use (27) 3 without Tag_FP_arch (10) becomes 0.</summary>
    private void ArmFirstObjectFixups()
    {
        var legacy = Get(0, 70);
        if (legacy is { Int: not 0 } l)
        {
            Set(0, new Attribute(42, IntVal, l.Int, null));
            Set(0, new Attribute(70, 0, 0, null));
        }

        if (Get(0, 27) is { Int: 3 } && Get(0, 10) is not { Int: not 0 })
        {
            Set(0, new Attribute(27, IntVal, 0, null));
        }
    }

    private Attribute? Get(int vendor, int tag) => _vendors[vendor].FindIndex(x => x.Tag == tag) is var i and >= 0 ? _vendors[vendor][i] : null;

    private void Set(int vendor, Attribute a)
    {
        var i = _vendors[vendor].FindIndex(x => x.Tag == a.Tag);
        if (i >= 0)
        {
            _vendors[vendor][i] = a;
        }
        else
        {
            _vendors[vendor].Add(a);
        }
    }

    /// <summary>The first attribute, in written order, whose value is not the same in both; null when none.</summary>
    private string? FirstDifference(ObjectAttributes other)
    {
        for (var v = 0; v < 2; v++)
        {
            var mine = Written(v).ToList();
            var theirs = other.Written(v).ToList();
            for (var i = 0; i < Math.Max(mine.Count, theirs.Count); i++)
            {
                Attribute? a = i < mine.Count ? mine[i] : null, b = i < theirs.Count ? theirs[i] : null;
                if (a != b)
                {
                    var tag = a?.Tag ?? b!.Value.Tag;
                    return $"{(v == 0 ? ProcVendor : "gnu")} tag {tag}: {Show(a)} against {Show(b)}";
                }
            }
        }

        return null;
    }

    /// <summary>The attributes <c>vendor_set_obj_attr_contents</c> writes, in its order: known tags through
    /// <c>obj_attrs_order</c> (ARM puts Tag_conformance, then Tag_nodefaults, first), then the list by tag; default
    /// values (0 and "", unless the tag has no default) are left out.</summary>
    private IEnumerable<Attribute> Written(int vendor)
    {
        var list = _vendors[vendor];
        for (var n = 2; n < KnownTags; n++)
        {
            var tag = vendor == 0 && _machine == ElfMachine.Arm ? ArmOrder(n) : n;
            if (Get(vendor, tag) is { } a && !IsDefault(a))
            {
                yield return a;
            }
        }

        foreach (var a in list.Where(a => a.Tag >= KnownTags).OrderBy(a => a.Tag)) // stable: equal tags keep their order
        {
            if (!IsDefault(a))
            {
                yield return a;
            }
        }
    }

    /// <summary>elf32_arm_obj_attrs_order.</summary>
    private static int ArmOrder(int n) => n switch
    {
        2 => TagConformance,
        3 => TagNoDefaults,
        _ when n - 2 < TagNoDefaults => n - 2,
        _ when n - 1 < TagConformance => n - 1,
        _ => n,
    };

    private static bool IsDefault(Attribute a) =>
        !((a.Type & IntVal) != 0 && a.Int != 0) && !((a.Type & StrVal) != 0 && !string.IsNullOrEmpty(a.Str)) && (a.Type & NoDefault) == 0;

    /// <summary><c>bfd_elf_set_obj_attr_contents</c>: 'A', then per vendor with anything to say: its length, name,
    /// Tag_File and that subsection's length, then the attributes. Empty when nothing is left to say.</summary>
    private byte[] Write(bool bigEndian)
    {
        var e = new ElfEndian(bigEndian);
        var body = new List<byte>();
        for (var v = 0; v < 2; v++)
        {
            var name = v == 0 ? ProcVendor : "gnu";
            var attrs = new List<byte>();
            foreach (var a in Written(v))
            {
                PutUleb(attrs, (uint)a.Tag);
                if ((a.Type & IntVal) != 0)
                {
                    PutUleb(attrs, a.Int);
                }

                if ((a.Type & StrVal) != 0)
                {
                    attrs.AddRange(Encoding.UTF8.GetBytes(a.Str ?? ""));
                    attrs.Add(0);
                }
            }

            if (name is null || attrs.Count == 0)
            {
                continue;
            }

            var size = attrs.Count + 10 + name.Length;
            var head = new byte[4];
            e.PutWord(head, (ulong)size, 4);
            body.AddRange(head);
            body.AddRange(Encoding.ASCII.GetBytes(name));
            body.Add(0);
            body.Add(TagFile);
            e.PutWord(head, (ulong)(size - 4 - name.Length - 1), 4);
            body.AddRange(head);
            body.AddRange(attrs);
        }

        return body.Count == 0 ? [] : [(byte)'A', .. body];
    }

    /// <summary>What the emulation refuses (a rule not emulated), placed at the backend's attribute section.</summary>
    private static LinkException Refuse(InputObject f, ElfMachine machine, string why) =>
        new(LinkErrorIds.LinkUnsupportedInput, f.Path, $"section '{SectionName(machine)}'", null, why);

    /// <summary>ld's own merge error, placed at the backend's attribute section.</summary>
    private static LinkException Incompatible(InputObject f, ElfMachine machine, string why) =>
        new(LinkErrorIds.LinkIncompatibleInput, f.Path, $"section '{SectionName(machine)}'", null, why);

    /// <summary><c>_bfd_safe_read_leb128</c>: stops at <paramref name="end"/>; bits past 32 are lost as in an unsigned int.</summary>
    private static uint Uleb(ReadOnlySpan<byte> c, ref int p, int end) => (uint)Leb128.ReadUnsigned(c, ref p, end, out _);

    private static void PutUleb(List<byte> into, uint v)
    {
        do
        {
            var b = (byte)(v & 0x7f);
            v >>= 7;
            into.Add(v != 0 ? (byte)(b | 0x80) : b);
        }
        while (v != 0);
    }
}
