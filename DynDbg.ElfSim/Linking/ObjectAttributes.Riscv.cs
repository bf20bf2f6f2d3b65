using System.Text;
using System.Text.RegularExpressions;
using DynDbg.ElfSim.Elf;

namespace DynDbg.ElfSim.Linking;

/// <summary>
/// The RISC-V half of the attribute merge: binutils 2.40 elfnn-riscv.c <c>riscv_merge_attributes</c> for every input
/// after the first with a <c>.riscv.attributes</c> section, and the header flags of
/// <c>_bfd_riscv_elf_merge_private_bfd_data</c>. ld's errors are LNK011 (ld fails too); inputs on which ld 2.40 crashes
/// or whose arch string this parser does not read are LNK014.
/// </summary>
internal sealed partial class ObjectAttributes
{
    private const int RvStackAlign = 4, RvArch = 5, RvUnaligned = 6, RvPriv = 8, RvPrivMinor = 10, RvPrivRevision = 12;

    private void MergeRiscv(ObjectAttributes input, InputObject f, bool is64)
    {
        // riscv_merge_attributes only merges the "riscv" vendor; the "gnu" one stays the first input's (copied).
        if (!input.Written(1).SequenceEqual(Written(1)))
        {
            throw Refuse(f, ElfMachine.RiscV, "its gnu-vendor build attributes differ from the first input's; riscv_merge_attributes " +
                "leaves them as copied, which is not emulated");
        }

        for (var tag = 2; tag < KnownTags; tag++)
        {
            var i = input.Get(0, tag);
            var o = Get(0, tag);
            switch (tag)
            {
                case RvArch:
                    var inArch = i?.Str;
                    var outArch = o?.Str;
                    if (outArch is null)
                    {
                        if (inArch is not null)
                        {
                            Set(0, new Attribute(RvArch, StrVal, 0, inArch));
                        }
                    }
                    else if (inArch is not null && inArch != outArch)
                    {
                        Set(0, new Attribute(RvArch, StrVal, 0, RiscvMergeArch(f, inArch, outArch, is64)));
                    }

                    break;

                case RvPriv:
                    RiscvMergePriv(input);
                    break;

                case RvPrivMinor or RvPrivRevision:
                    break; // riscv_merge_attributes merges the three together (priv_attrs_merged)

                case RvUnaligned:
                    Set(0, new Attribute(tag, IntVal, (o?.Int ?? 0) | (i?.Int ?? 0), null));
                    break;

                case RvStackAlign:
                    uint inAlign = i?.Int ?? 0, outAlign = o?.Int ?? 0;
                    if (outAlign == 0)
                    {
                        Set(0, new Attribute(tag, IntVal, inAlign, null));
                    }
                    else if (inAlign != 0 && inAlign != outAlign)
                    {
                        throw Incompatible(f, ElfMachine.RiscV,
                            $"it uses {inAlign}-byte stack alignment but the output uses {outAlign}-byte " +
                            "(riscv_merge_attributes, Tag_RISCV_stack_align)");
                    }

                    break;

                default:
                    // _bfd_elf_merge_unknown_attribute_low calls the backend's obj_attrs_handle_unknown for a set
                    // tag, and RISC-V has none in 2.40: ld crashes.
                    if (i is { } x && !IsZero(x) || o is { } y && !IsZero(y))
                    {
                        throw Refuse(f, ElfMachine.RiscV, $"riscv tag {tag} is set (by this input or an earlier one); ld 2.40 calls a " +
                            "NULL obj_attrs_handle_unknown for it in _bfd_elf_merge_unknown_attribute_low and crashes");
                    }

                    break;
            }
        }

        // _bfd_elf_merge_unknown_attribute_list: tags past 76 merge only when both lists are the same; any other
        // entry again reaches the NULL obj_attrs_handle_unknown.
        var mine = _vendors[0].Where(a => a.Tag >= KnownTags).OrderBy(a => a.Tag).ToList();
        var theirs = input._vendors[0].Where(a => a.Tag >= KnownTags).OrderBy(a => a.Tag).ToList();
        if (!mine.SequenceEqual(theirs))
        {
            throw Refuse(f, ElfMachine.RiscV, "its riscv tags above 76 differ from the output's; ld 2.40 calls a NULL " +
                "obj_attrs_handle_unknown for them in _bfd_elf_merge_unknown_attribute_list and crashes");
        }
    }

    private static bool IsZero(Attribute a) => a.Int == 0 && a.Str is null;

    /// <summary>_bfd_elf_merge_object_attributes runs first for every input with sections: a non-zero
    /// Tag_compatibility (an integer only on RISC-V, so its string is NULL) reaches strcmp (NULL, "gnu") and ld 2.40
    /// crashes.</summary>
    private static void RiscvCheckCompatibility(ObjectAttributes a, InputObject f)
    {
        for (var v = 0; v < 2; v++)
        {
            if (a.Get(v, TagCompatibility) is { Int: not 0 })
            {
                throw Refuse(f, ElfMachine.RiscV, $"Tag_compatibility is set in its {(v == 0 ? "riscv" : "gnu")} attributes; ld 2.40 " +
                    "fails on it (_bfd_elf_merge_object_attributes), which is not emulated");
            }
        }
    }

    /// <summary>riscv_merge_attributes, Tag_RISCV_priv_spec*: an output without a known version takes the input's;
    /// two known versions that differ (a warning) leave the newer.</summary>
    private void RiscvMergePriv(ObjectAttributes input)
    {
        uint[] i = [input.Get(0, RvPriv)?.Int ?? 0, input.Get(0, RvPrivMinor)?.Int ?? 0, input.Get(0, RvPrivRevision)?.Int ?? 0];
        uint[] o = [Get(0, RvPriv)?.Int ?? 0, Get(0, RvPrivMinor)?.Int ?? 0, Get(0, RvPrivRevision)?.Int ?? 0];
        var inClass = PrivClass(i);
        var outClass = PrivClass(o);
        if (outClass == 0 || (inClass != 0 && inClass > outClass))
        {
            Set(0, new Attribute(RvPriv, IntVal, i[0], null));
            Set(0, new Attribute(RvPrivMinor, IntVal, i[1], null));
            Set(0, new Attribute(RvPrivRevision, IntVal, i[2], null));
        }

        // riscv_get_priv_spec_class_from_numbers: "M.m.r" (".r" only when not 0) looked up in riscv_priv_specs.
        static int PrivClass(uint[] v) => (v[2] != 0 ? $"{v[0]}.{v[1]}.{v[2]}" : $"{v[0]}.{v[1]}") switch
        {
            "1.9.1" => 1,
            "1.10" => 2,
            "1.11" => 3,
            "1.12" => 4,
            _ => 0, // PRIV_SPEC_CLASS_NONE
        };
    }

    private readonly record struct Subset(string Name, int Major, int Minor);

    /// <summary>riscv_merge_arch_attr_info: both strings parsed (riscv_parse_subset), XLEN checked, the standard
    /// extensions then the prefixed ones merged (riscv_merge_std_ext, riscv_merge_multi_letter_ext: the union, the
    /// newer version where both have one, a warning only), written by riscv_arch_str.</summary>
    private static string RiscvMergeArch(InputObject f, string inArch, string outArch, bool is64)
    {
        var input = ParseArch(f, inArch, out var xlenIn);
        var output = ParseArch(f, outArch, out var xlenOut);
        if (xlenIn != xlenOut)
        {
            throw Incompatible(f, ElfMachine.RiscV,
                $"ISA string of input ({inArch}) doesn't match output ({outArch}) (riscv_merge_arch_attr_info)");
        }

        if (xlenIn != (is64 ? 64 : 32))
        {
            throw Incompatible(f, ElfMachine.RiscV,
                $"unsupported XLEN ({xlenIn}) (riscv_merge_arch_attr_info)");
        }

        // riscv_add_subset keeps the list sorted by riscv_compare_subsets, so the merge is the sorted union.
        var merged = new List<Subset>(output);
        foreach (var s in input)
        {
            var at = merged.FindIndex(m => m.Name == s.Name);
            if (at < 0)
            {
                merged.Add(s);
            }
            else if (s.Major > merged[at].Major || (s.Major == merged[at].Major && s.Minor > merged[at].Minor))
            {
                merged[at] = s; // riscv_version_mismatch: "mis-matched ISA version" warning, the newer kept
            }
        }

        merged.Sort((a, b) => CompareSubsets(a.Name, b.Name));
        var sb = new StringBuilder(is64 ? "rv64" : "rv32");
        for (var k = 0; k < merged.Count; k++)
        {
            sb.Append(k == 0 ? "" : "_").Append(merged[k].Name).Append(merged[k].Major).Append('p').Append(merged[k].Minor);
        }

        return sb.ToString();
    }

    /// <summary>riscv_ext_canonical_order (2.40): the order of single-letter extensions, and of a z extension's
    /// second letter.</summary>
    private const string CanonicalOrder = "eigmafdqlcbkjtpvnh";

    /// <summary>Single-letter extensions this parser reads: riscv_parse_std_ext's known ones without the special
    /// cases ('e', 'g' expanding, the implications of 'e').</summary>
    private const string StdExtensions = "imafdqcv";

    [GeneratedRegex(@"^([a-z][a-z0-9]*[a-z])(\d+)p(\d+)$")]
    private static partial Regex PrefixedExtension();

    [GeneratedRegex(@"^([a-z])(\d+)p(\d+)")]
    private static partial Regex StdExtension();

    /// <summary>
    /// riscv_parse_subset for the strings assemblers write: "rv32"/"rv64", 'i' then single letters in canonical order,
    /// then z/s/x extensions, each with an explicit "MpN" version. The implicit extensions it would add
    /// (riscv_parse_add_implicit_subsets) are left out: ld gives them no version (no ISA spec), so riscv_arch_str
    /// skips them and riscv_version_mismatch keeps the other input's. Anything else is refused.
    /// </summary>
    private static List<Subset> ParseArch(InputObject f, string arch, out int xlen)
    {
        LinkException Unread(string why) => Refuse(f, ElfMachine.RiscV, $"Tag_RISCV_arch \"{arch}\": {why}; riscv_parse_subset's " +
            "handling of it is not emulated");

        xlen = arch.StartsWith("rv64", StringComparison.Ordinal) ? 64 : arch.StartsWith("rv32", StringComparison.Ordinal) ? 32 : 0;
        if (xlen == 0)
        {
            throw Unread("it does not begin with rv32 or rv64");
        }

        var list = new List<Subset>();
        var tokens = arch[4..].Split('_');
        var prefixed = false;
        foreach (var t in tokens)
        {
            if (t.Length == 0)
            {
                continue;
            }

            if (t[0] is 'z' or 's' or 'x')
            {
                if (PrefixedExtension().Match(t) is not { Success: true } m)
                {
                    throw Unread($"extension '{t}' without an MpN version");
                }

                Add(m.Groups[1].Value, m.Groups[2].Value, m.Groups[3].Value);
                prefixed = true;
                continue;
            }

            if (prefixed)
            {
                throw Unread($"single-letter '{t}' after prefixed extensions");
            }

            var rest = t;
            while (rest.Length > 0)
            {
                if (StdExtension().Match(rest) is not { Success: true } m || !StdExtensions.Contains(m.Groups[1].Value[0]))
                {
                    throw Unread($"'{rest}' is not a known single-letter extension with an MpN version");
                }

                if (list.Count == 0 ? m.Groups[1].Value != "i" : CompareSubsets(list[^1].Name, m.Groups[1].Value) >= 0)
                {
                    throw Unread($"'{m.Groups[1].Value}' out of canonical order");
                }

                Add(m.Groups[1].Value, m.Groups[2].Value, m.Groups[3].Value);
                rest = rest[m.Length..];
            }
        }

        if (list.Count == 0 || list[0].Name != "i")
        {
            throw Unread("no 'i' base");
        }

        return list;

        void Add(string name, string major, string minor)
        {
            if (list.Any(s => s.Name == name) || !int.TryParse(major, out var ma) || !int.TryParse(minor, out var mi))
            {
                throw Unread($"extension '{name}' repeated or its version out of range");
            }

            if (name.EndsWith("inx", StringComparison.Ordinal))
            {
                throw Unread($"'{name}' (riscv_parse_check_conflicts)");
            }

            list.Add(new Subset(name, ma, mi));
        }
    }

    /// <summary>riscv_compare_subsets: single letters in canonical order, then z, s, x extensions (z by their second
    /// letter's canonical order first), each class by strcasecmp of the rest.</summary>
    private static int CompareSubsets(string a, string b)
    {
        var oa = Order(a[0]);
        var ob = Order(b[0]);
        if (a.Length == 1 && b.Length == 1 && oa > 0 && ob > 0)
        {
            return oa - ob;
        }

        int ca = Class(a), cb = Class(b);
        oa = ca != 0 ? -ca : oa;
        ob = cb != 0 ? -cb : ob;
        if (oa == ob)
        {
            if (ca == 1)
            {
                var za = a.Length > 1 ? Order(a[1]) : 0;
                var zb = b.Length > 1 ? Order(b[1]) : 0;
                if (za != zb)
                {
                    return za - zb;
                }
            }

            return string.CompareOrdinal(a[1..], b[1..]);
        }

        return ob - oa;

        static int Order(char c) => CanonicalOrder.IndexOf(c) + 1;

        // riscv_get_prefix_class: RV_ISA_CLASS_Z = 1, S, X; 0 for a single letter.
        static int Class(string s) => s.Length == 1 ? 0 : s[0] switch { 'z' => 1, 's' => 2, 'x' => 3, _ => 0 };
    }

    /// <summary>
    /// _bfd_riscv_elf_merge_private_bfd_data's header flags: the first input with a loaded code section with contents
    /// sets them (none: 0); a later one with another float ABI or RVE setting is an error; RVC and TSO are or-ed.
    /// </summary>
    public static uint MergeRiscvFlags(LinkContext ctx)
    {
        const uint Rvc = 0x1, FloatAbi = 0x6, Rve = 0x8, Tso = 0x10;
        uint? flags = null;
        InputObject? first = null;
        foreach (var f in ctx.LoadOrder)
        {
            const SectionFlags code = SectionFlags.Load | SectionFlags.Code | SectionFlags.HasContents;
            if (!f.Sections.Any(s => (s.Flags & code) == code))
            {
                continue; // null_input_bfd || only_data_sections
            }

            var n = f.Elf.Header.Flags;
            if (flags is not { } old)
            {
                (flags, first) = (n, f);
                continue;
            }

            if (((old ^ n) & FloatAbi) != 0)
            {
                throw new LinkException(LinkErrorIds.LinkIncompatibleInput, f.Path, "ELF header", 0x24,
                    $"can't link {FloatName(n)} modules with {FloatName(old)} modules ({first!.Path}; " +
                    "_bfd_riscv_elf_merge_private_bfd_data)");
            }

            if (((old ^ n) & Rve) != 0)
            {
                throw new LinkException(LinkErrorIds.LinkIncompatibleInput, f.Path, "ELF header", 0x24,
                    $"can't link RVE with other target ({first!.Path}; _bfd_riscv_elf_merge_private_bfd_data)");
            }

            flags = old | (n & (Rvc | Tso));
        }

        return flags ?? 0;

        static string FloatName(uint fl) => (fl & FloatAbi) switch
        {
            0 => "soft-float",
            2 => "single-float",
            4 => "double-float",
            _ => "quad-float",
        };
    }
}
