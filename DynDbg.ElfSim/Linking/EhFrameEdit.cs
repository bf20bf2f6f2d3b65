using DynDbg.ElfSim.Elf;

namespace DynDbg.ElfSim.Linking;

/// <summary>
/// What bfd/elf-eh-frame.c does to one input <c>.eh_frame</c> in a relocatable link, where ld parses it even
/// though it merges nothing (<c>bfd_elf_discard_info</c>, from the emulations' after_allocation; not RISC-V's):
/// each CIE and FDE loses its trailing DW_CFA_nop padding (<c>_bfd_elf_parse_eh_frame</c>), FDEs whose code was
/// discarded and CIEs no kept FDE uses are removed, the rest are laid out again at 4-byte alignment (8 for an
/// aligned-8 personality, the pointer width for FDE encodings wider than 4; <c>_bfd_elf_discard_section_eh_frame</c>),
/// and each entry's length then runs to the next one, the gap filled with DW_CFA_nop
/// (<c>_bfd_elf_write_section_eh_frame</c>). A section ld cannot parse is left as it is ("no .eh_frame_hdr table").
/// </summary>
internal sealed class EhFrameEdit : SectionEdit
{
    private sealed class Entry
    {
        public uint Offset;
        public uint Size;          // after the padding nops were cut off
        public bool Cie;
        public Entry? CieOf;       // FDE: its CIE; null for a zero-range FDE without relocation (always dropped)
        public uint FdeEncoding;
        public bool PerAligned8;
        public bool Removed = true;
        public uint NewOffset;
        public bool Terminator => Size == 4;
    }

    private readonly List<Entry> _entries;

    private EhFrameEdit(List<Entry> entries, ulong rawSize)
    {
        _entries = entries;
        RawSize = rawSize;
    }

    public override ulong RawSize { get; }

    /// <summary>The section's size after the edit (and after <c>bfd_elf_discard_info</c>'s padding of all but the
    /// last non-empty .eh_frame to the output section's alignment).</summary>
    public override ulong Size => _size;

    private ulong _size;

    /// <summary>
    /// <c>bfd_elf_discard_info</c>'s .eh_frame part over the output section <c>.eh_frame</c>: parse and edit each
    /// non-empty input in link order, then pad every one but the last non-empty input to the output section's
    /// alignment. Returns true when a size changed (ld then lays the sections out again).
    /// </summary>
    public static bool Apply(LinkContext ctx)
    {
        var o = ctx.Sections.FirstOrDefault(s => s.Name == ".eh_frame");
        if (o is null)
        {
            return false;
        }

        var inputs = o.Statement.InputSectionsInOrder().Where(s => s.Output == o).ToList();
        var changed = false;
        var ptrSize = ctx.Identity!.Is64 ? 8u : 4u;
        for (var k = 0; k < inputs.Count; k++)
        {
            var s = inputs[k];
            if (s.Size == 0 || s.Elf.IsNoBits)
            {
                continue;
            }

            var rels = s.RelocationSections.SelectMany(r => s.File.Elf.GetRelocations(r).Entries.ToArray()).ToArray();
            if (Parse(s, rels, ptrSize, ctx) is not { } edit)
            {
                continue;
            }

            edit.Discard(s, rels, isLast: k == inputs.Count - 1, ctx);
            s.Edit = edit;
            changed |= edit.Size != edit.RawSize || edit._entries.Any(e => !e.Removed && e.NewOffset != e.Offset);
        }

        // Skip over a trailing zero terminator and empty sections; the last non-empty one needs no padding, the ones
        // before it are padded to the output alignment so no zero gap between them reads as a terminator.
        var align = 1UL << o.AlignmentPower;
        var last = inputs.Count - 1;
        for (; last >= 0; last--)
        {
            if (inputs[last].Size == 0)
            {
                inputs[last].Flags |= SectionFlags.Exclude;
            }
            else if (inputs[last].Size > 4)
            {
                break;
            }
        }

        for (var k = last - 1; k >= 0; k--)
        {
            var s = inputs[k];
            var padded = (s.Size + align - 1) & ~(align - 1);
            if (padded != s.Size && s.Edit is EhFrameEdit e)
            {
                e._size = padded;
                changed = true;
            }
        }

        return changed;
    }

    /// <summary><c>_bfd_elf_parse_eh_frame</c> (REQUIRE failing means null: the section stays as it is).</summary>
    private static EhFrameEdit? Parse(InputSection s, ElfRelocation[] rels, uint ptrSize, LinkContext ctx)
    {
        var c = s.File.Elf.GetContents(s.Elf);
        var e = new ElfEndian(ctx.Identity!.IsBigEndian);
        var entries = new List<Entry>();
        var cies = new List<(Entry Entry, uint FdeEncoding, bool Z, uint LsdaEncoding)>();
        var rel = 0;
        var p = 0;
        while (p != c.Length)
        {
            if (c.Length - p < 4)
            {
                return null;
            }

            var start = p;
            var length = (uint)e.Word(c[p..], 4);
            if (length == 0xffffffff || (ulong)p + 4 + length > (ulong)c.Length)
            {
                return null;
            }

            p += 4;
            var end = p + (int)length;
            var ent = new Entry { Offset = (uint)start, Size = 4 + length };
            while (rel < rels.Length && rels[rel].Offset < (ulong)start)
            {
                rel++;
            }

            if (length == 0)
            {
                // Terminators: only at the end.
                while (c.Length - p >= 4)
                {
                    if (e.Word(c[p..], 4) != 0)
                    {
                        return null;
                    }

                    p += 4;
                }

                if (p != c.Length || rels.Any(r => r.Offset >= (ulong)start && r.Type != 0))
                {
                    return null;
                }

                entries.Add(ent);
                break;
            }

            if (end - p < 4)
            {
                return null;
            }

            var id = (uint)e.Word(c[p..], 4);
            p += 4;
            int insns;
            uint fdeEncoding;
            if (id == 0)
            {
                ent.Cie = true;
                if (!NoRelocsBefore(rels, ref rel, p))
                {
                    return null;
                }

                if (p >= end)
                {
                    return null;
                }

                var version = c[p++];
                if (version is not (1 or 3 or 4))
                {
                    return null;
                }

                var augEnd = c[p..end].IndexOf((byte)0);
                if (augEnd < 0 || augEnd >= 20)
                {
                    return null;
                }

                var aug = System.Text.Encoding.ASCII.GetString(c.Slice(p, augEnd));
                p += augEnd + 1;
                if (!NoRelocsBefore(rels, ref rel, p))
                {
                    return null;
                }

                if (aug.StartsWith("eh", StringComparison.Ordinal))
                {
                    if (!Skip(ref p, end, (int)ptrSize))
                    {
                        return null;
                    }

                    SkipRelocs(rels, ref rel, p);
                }

                if (version >= 4)
                {
                    if (p + 1 >= end || c[p] != ptrSize || c[p + 1] != 0)
                    {
                        return null;
                    }

                    p += 2;
                }

                if (!Leb(c, ref p, end) || !Leb(c, ref p, end))
                {
                    return null; // code and data alignment
                }

                if (version == 1 ? !Skip(ref p, end, 1) : !Leb(c, ref p, end))
                {
                    return null; // return address column
                }

                if (!NoRelocsBefore(rels, ref rel, p))
                {
                    return null;
                }

                uint lsda = 0xff;
                fdeEncoding = 0xff;
                var z = false;
                if (!aug.StartsWith("eh", StringComparison.Ordinal))
                {
                    var a = 0;
                    if (aug.Length > 0 && aug[0] == 'z')
                    {
                        z = true;
                        a = 1;
                        if (!Leb(c, ref p, end) || !NoRelocsBefore(rels, ref rel, p))
                        {
                            return null;
                        }
                    }

                    for (; a < aug.Length; a++)
                    {
                        switch (aug[a])
                        {
                            case 'B' or 'S':
                                break;
                            case 'L':
                                if (p >= end || Width(lsda = c[p++], ptrSize) == 0 || !NoRelocsBefore(rels, ref rel, p))
                                {
                                    return null;
                                }

                                break;
                            case 'R':
                                if (p >= end || Width(fdeEncoding = c[p++], ptrSize) == 0 || !NoRelocsBefore(rels, ref rel, p))
                                {
                                    return null;
                                }

                                break;
                            case 'P':
                            {
                                if (p >= end)
                                {
                                    return null;
                                }

                                var per = c[p++];
                                var w = (int)Width(per, ptrSize);
                                if (w == 0)
                                {
                                    return null;
                                }

                                if ((per & 0x70) == 0x50) // DW_EH_PE_aligned
                                {
                                    var pad = -p & (w - 1);
                                    if (!Skip(ref p, end, pad))
                                    {
                                        return null;
                                    }

                                    ent.PerAligned8 = w == 8;
                                }

                                if (!NoRelocsBefore(rels, ref rel, p) || !(rel < rels.Length && rels[rel].Offset == (ulong)p))
                                {
                                    return null; // a personality needs its relocation
                                }

                                while (rel < rels.Length && rels[rel].Offset == (ulong)p)
                                {
                                    rel++; // MIPS-style composite relocations
                                }

                                if (!Skip(ref p, end, w))
                                {
                                    return null;
                                }

                                break;
                            }

                            default:
                                return null; // unknown augmentation: ld bails out
                        }
                    }
                }

                if (fdeEncoding == 0xff)
                {
                    fdeEncoding = 0; // DW_EH_PE_absptr
                }

                insns = p;
                p = end;
                if (!NoRelocsBefore(rels, ref rel, p))
                {
                    return null;
                }

                cies.Add((ent, fdeEncoding, z, lsda));
            }
            else
            {
                var cieOffset = (uint)(start + 4 - id);
                var cie = cies.FindIndex(x => x.Entry.Offset == cieOffset);
                if (cie < 0 || !NoRelocsBefore(rels, ref rel, p))
                {
                    return null;
                }

                var (cieEntry, enc, z, lsda) = cies[cie];
                ent.CieOf = cieEntry;
                fdeEncoding = enc;
                if (!(rel < rels.Length && rels[rel].Offset == (ulong)p))
                {
                    return null; // the initial location needs its relocation
                }

                if (TargetSection(s, rels[rel], ctx) is { } code && code.File != s.File)
                {
                    return null; // _bfd_elf_gc_mark_rsec: an FDE for another input's code
                }

                var w = (int)Width(enc, ptrSize);
                if (!Skip(ref p, end, 2 * w))
                {
                    return null;
                }

                SkipRelocs(rels, ref rel, p - w);
                if (!(rel < rels.Length && rels[rel].Offset == (ulong)(p - w)) && ReadValue(c, p - w, w, e) == 0)
                {
                    ent.CieOf = null; // "discarding zero address range FDE"
                }

                ulong augLength = 0;
                if (z)
                {
                    if (!ReadUleb(c, ref p, end, out augLength))
                    {
                        return null;
                    }
                }

                if (lsda != 0xff)
                {
                    SkipRelocs(rels, ref rel, p);
                    if (!z)
                    {
                        augLength = (ulong)(end - p);
                    }
                }

                if (!Skip(ref p, end, (int)Math.Min(augLength, int.MaxValue)))
                {
                    return null;
                }

                insns = p;
                p = end;
                SkipRelocs(rels, ref rel, p);
            }

            // Cut the padding nops off (skip_non_nops); DW_CFA_set_loc in a CIE, or an unknown op, leaves the section alone.
            var setLocs = 0;
            var insnsEnd = SkipNonNops(c, insns, end, (int)Width(fdeEncoding, ptrSize), ref setLocs);
            if (insnsEnd < 0 || (setLocs != 0 && ent.Cie))
            {
                return null;
            }

            ent.Size -= (uint)(end - insnsEnd);
            ent.FdeEncoding = fdeEncoding;
            entries.Add(ent);
        }

        return new EhFrameEdit(entries, s.Elf.Size) { _size = s.Elf.Size };
    }

    /// <summary><c>_bfd_elf_discard_section_eh_frame</c> in a relocatable link.</summary>
    private void Discard(InputSection s, ElfRelocation[] rels, bool isLast, LinkContext ctx)
    {
        var sorted = true; // as gas writes them; a search per FDE then, not a walk from the start (24 276 FDEs: 0.7 s)
        for (var i = 1; i < rels.Length && sorted; i++)
        {
            sorted = rels[i - 1].Offset <= rels[i].Offset;
        }

        foreach (var ent in _entries)
        {
            if (ent.Terminator)
            {
                ent.Removed = !isLast; // one terminator at most, on the last input
            }
            else if (!ent.Cie && ent.CieOf is { } cie)
            {
                if (!SymbolDeleted(s, rels, sorted, ent.Offset + 8, ctx))
                {
                    ent.Removed = false;
                    cie.Removed = false;
                }
            }
        }

        uint offset = 0;
        foreach (var ent in _entries.Where(x => !x.Removed))
        {
            uint align = 4;
            if (ent.Terminator)
            {
            }
            else if (ent.Cie)
            {
                align = ent.PerAligned8 ? 8u : 4u;
            }
            else
            {
                align = Math.Max(4u, Width(ent.FdeEncoding, ctx.Identity!.Is64 ? 8u : 4u));
            }

            offset = (offset + align - 1) & ~(align - 1);
            ent.NewOffset = offset;
            offset += ent.Size;
        }

        _size = (offset + 3u) & ~3u;
    }

    /// <summary>The section a relocation's symbol is defined in (<c>_bfd_elf_gc_mark_rsec</c>): null when undefined or
    /// absolute.</summary>
    private static InputSection? TargetSection(InputSection s, ElfRelocation r, LinkContext ctx)
    {
        var symtab = s.File.Elf.SymbolTable;
        if (symtab is null || r.SymbolIndex == 0 || r.SymbolIndex >= (uint)symtab.Count)
        {
            return null;
        }

        var sym = symtab[(int)r.SymbolIndex];
        if (r.SymbolIndex >= symtab.Section.Info || sym.Binding != ElfConstants.StbLocal)
        {
            return ctx.Symbols.Find(symtab.GetName((int)r.SymbolIndex)) is { IsDefined: true, Section: { } d } ? d : null;
        }

        return sym.IsInSection ? s.File.SectionAt(sym.SectionIndex) : null;
    }

    /// <summary>bfd/elflink.c <c>bfd_elf_reloc_symbol_deleted_p</c>: the FDE's initial location points at nothing, at
    /// a global defined in another input or in a discarded section, or into a discarded local section.</summary>
    private static bool SymbolDeleted(InputSection s, ElfRelocation[] rels, bool sorted, ulong offset, LinkContext ctx)
    {
        var symtab = s.File.Elf.SymbolTable;
        var first = 0;
        if (sorted)
        {
            // The first relocation at or past the offset: the walk below stops there at once.
            var (lo, hi) = (0, rels.Length);
            while (lo < hi)
            {
                var mid = (lo + hi) >>> 1;
                (lo, hi) = rels[mid].Offset < offset ? (mid + 1, hi) : (lo, mid);
            }

            first = lo;
        }

        foreach (var r in rels.AsSpan(first))
        {
            if (r.Offset > offset)
            {
                return false;
            }

            if (r.Offset != offset)
            {
                continue;
            }

            if (r.SymbolIndex == 0 || symtab is null)
            {
                return true;
            }

            // A global defined in another input counts as deleted too (a local's section is always this input's).
            return TargetSection(s, r, ctx) is { } d &&
                   (d.File != s.File || d.KeptInstead is not null || (d.Output is null && d.Discarded != DiscardReason.None));
        }

        return false;
    }

    /// <summary><c>_bfd_elf_eh_frame_section_offset</c>: where an input offset went, or null when its entry was removed
    /// (ld then writes the relocation as R_*_NONE at the previous relocation's offset).</summary>
    public override ulong? MapOffset(ulong offset)
    {
        if (offset >= RawSize)
        {
            return offset - RawSize + Size;
        }

        if (EntryAt(offset) is { } i && offset < _entries[i].Offset + _entries[i].Size)
        {
            var ent = _entries[i];
            return ent.Removed ? null : offset - ent.Offset + ent.NewOffset;
        }

        return offset; // ld asserts here: an offset in an entry's cut padding
    }

    public override string Describe()
    {
        var fdes = _entries.Count(e => !e.Cie && !e.Terminator && e.Removed);
        var cies = _entries.Count(e => e.Cie && e.Removed);
        var removed = new List<string>();
        if (fdes > 0)
        {
            removed.Add($"{fdes} FDE{(fdes == 1 ? "" : "s")} of discarded code");
        }

        if (cies > 0)
        {
            removed.Add($"{cies} CIE{(cies == 1 ? "" : "s")} no kept FDE uses");
        }

        return $".eh_frame parsed as ld does in -r (_bfd_elf_discard_section_eh_frame): padding nops trimmed, entries re-laid" +
               (removed.Count > 0 ? $", {string.Join(" and ", removed)} removed" : "") +
               $" (0x{RawSize:x} -> 0x{Size:x})";
    }

    /// <summary><c>offset_adjust</c> (for <c>adjust_eh_frame_local_symbols</c> and
    /// <c>_bfd_elf_adjust_eh_frame_global_symbol</c>): a symbol inside the section moves with the CIE/FDE it falls in
    /// (from its start up to the next one's); one in a removed entry moves to the next kept entry.</summary>
    public override ulong AdjustSymbol(ulong value)
    {
        var i = EntryAt(value) ?? 0;
        var ent = _entries[i];
        if (!ent.Removed)
        {
            return value + ent.NewOffset - ent.Offset;
        }

        var next = _entries.Skip(i + 1).FirstOrDefault(x => !x.Removed)?.NewOffset ?? (uint)Size;
        return value + next - ent.Offset;
    }

    /// <summary>The last entry starting at or before <paramref name="offset"/> (entries are in section order), or null.
    /// A search: a relocation table maps each of its entries through here.</summary>
    private int? EntryAt(ulong offset)
    {
        var (lo, hi) = (0, _entries.Count);
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            (lo, hi) = _entries[mid].Offset <= offset ? (mid + 1, hi) : (lo, mid);
        }

        return lo == 0 ? null : lo - 1;
    }

    /// <summary><c>_bfd_elf_write_section_eh_frame</c> for a relocatable link: kept entries moved to their new
    /// offsets, each length running to the next kept entry (or the section's end), zero (DW_CFA_nop) filled, and
    /// each FDE's CIE pointer recomputed.</summary>
    public override void Write(ReadOnlySpan<byte> input, Span<byte> output, bool bigEndian)
    {
        var e = new ElfEndian(bigEndian);
        output.Clear();
        var kept = _entries.Where(x => !x.Removed).ToList();
        for (var i = 0; i < kept.Count; i++)
        {
            var ent = kept[i];
            input.Slice((int)ent.Offset, (int)ent.Size).CopyTo(output[(int)ent.NewOffset..]);
            if (ent.Terminator)
            {
                continue;
            }

            var next = i + 1 < kept.Count ? kept[i + 1].NewOffset : (uint)Size;
            e.PutWord(output[(int)ent.NewOffset..], next - ent.NewOffset - 4, 4);
            if (!ent.Cie && ent.CieOf is { } cie)
            {
                e.PutWord(output[((int)ent.NewOffset + 4)..], ent.NewOffset + 4 - cie.NewOffset, 4);
            }
        }
    }

    private static bool NoRelocsBefore(ElfRelocation[] rels, ref int rel, int p)
    {
        for (; rel < rels.Length && rels[rel].Offset < (ulong)p; rel++)
        {
            if (rels[rel].Type != 0 || rels[rel].SymbolIndex != 0)
            {
                return false; // ENSURE_NO_RELOCS: only R_*_NONE may sit there
            }
        }

        return true;
    }

    private static void SkipRelocs(ElfRelocation[] rels, ref int rel, int p)
    {
        while (rel < rels.Length && rels[rel].Offset < (ulong)p)
        {
            rel++;
        }
    }

    private static bool Skip(ref int p, int end, int n)
    {
        if (n < 0 || end - p < n)
        {
            return false;
        }

        p += n;
        return true;
    }

    private static bool Leb(ReadOnlySpan<byte> c, ref int p, int end) => ReadUleb(c, ref p, end, out _);

    private static bool ReadUleb(ReadOnlySpan<byte> c, ref int p, int end, out ulong value)
    {
        value = Leb128.ReadUnsigned(c, ref p, end, out var complete);
        return complete;
    }

    private static ulong ReadValue(ReadOnlySpan<byte> c, int at, int width, ElfEndian e) =>
        width is 2 or 4 or 8 ? e.Word(c[at..], width) : 0;

    /// <summary><c>get_DW_EH_PE_width</c>.</summary>
    private static uint Width(uint encoding, uint ptrSize)
    {
        if ((encoding & 0x60) == 0x60)
        {
            return 0;
        }

        return (encoding & 7) switch
        {
            2 => 2,
            3 => 4,
            4 => 8,
            0 => ptrSize,
            _ => 0,
        };
    }

    /// <summary><c>skip_non_nops</c> with <c>skip_cfa_op</c>: the offset of the first padding nop (or the end), -1 for
    /// an instruction ld does not know.</summary>
    private static int SkipNonNops(ReadOnlySpan<byte> c, int p, int end, int ptrWidth, ref int setLocs)
    {
        var last = p;
        while (p < end)
        {
            if (c[p] == 0)
            {
                p++;
                continue;
            }

            if (c[p] == 0x01)
            {
                setLocs++;
            }

            if (!SkipCfaOp(c, ref p, end, ptrWidth))
            {
                return -1;
            }

            last = p;
        }

        return last;
    }

    private static bool SkipCfaOp(ReadOnlySpan<byte> c, ref int p, int end, int ptrWidth)
    {
        if (p >= end)
        {
            return false;
        }

        var op = c[p++];
        switch ((op & 0xc0) != 0 ? op & 0xc0 : op)
        {
            case 0x00 or 0x40 or 0xc0 or 0x0a or 0x0b or 0x2d: // nop, advance_loc, restore, remember/restore_state, GNU_window_save
                return true;
            case 0x80 or 0x06 or 0x07 or 0x08 or 0x0d or 0x0e or 0x13 or 0x2e:
                // offset, restore_extended, undefined, same_value, def_cfa_register, def_cfa_offset(_sf), GNU_args_size
                return Leb(c, ref p, end);
            case 0x14 or 0x15 or 0x05 or 0x09 or 0x0c or 0x11 or 0x2f or 0x12:
                // val_offset(_sf), offset_extended, register, def_cfa, offset_extended_sf, GNU_negative_offset_extended, def_cfa_sf
                return Leb(c, ref p, end) && Leb(c, ref p, end);
            case 0x0f: // def_cfa_expression
                return ReadUleb(c, ref p, end, out var n) && Skip(ref p, end, (int)Math.Min(n, int.MaxValue));
            case 0x10 or 0x16: // expression, val_expression
                return Leb(c, ref p, end) && ReadUleb(c, ref p, end, out var m) && Skip(ref p, end, (int)Math.Min(m, int.MaxValue));
            case 0x01: // set_loc
                return Skip(ref p, end, ptrWidth);
            case 0x02:
                return Skip(ref p, end, 1);
            case 0x03:
                return Skip(ref p, end, 2);
            case 0x04:
                return Skip(ref p, end, 4);
            case 0x1d: // MIPS_advance_loc8
                return Skip(ref p, end, 8);
            default:
                return false;
        }
    }
}
