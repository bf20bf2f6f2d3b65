using System.Buffers;
using DynDbg.ElfSim.Elf;

namespace DynDbg.ElfSim.Linking;

/// <summary>Turns a <see cref="LinkResult"/> into an <see cref="ElfWriter"/>: sections with streamed contents, the
/// symbol table in the link's order, and the relocation tables.</summary>
internal static class LinkedElf
{
    /// <summary>The most section contents one output may hold. ld writes whatever the script asks for (a sparse
    /// file); this emulation builds contents in memory, so like the loader's LDR009 it stops at 1 GiB. Real module
    /// links are a few MB.</summary>
    public const ulong MaxContents = 1UL << 30;

    /// <summary>sh_type as written: on MIPS the name decides after elf_fake_sections (_bfd_mips_elf_fake_sections), so
    /// a zero-initialised input can make an output with contents (a NOBITS ".options" is SHT_MIPS_OPTIONS, written
    /// as zeros: found by AFL++, 3.8 GB of them past the size check, which now counts what is written).</summary>
    private static uint TypeWritten(LinkResult link, OutputSection o) =>
        link.Identity.Machine == ElfMachine.Mips ? MipsSectionNames.WrittenType(o) : o.WrittenType;

    private static void CheckSize(LinkResult link)
    {
        var total = 0UL;
        foreach (var o in link.Sections)
        {
            if (TypeWritten(link, o) == ElfConstants.ShtNobits)
            {
                continue;
            }

            total = o.Size > MaxContents ? ulong.MaxValue : total + o.Size;
            if (total > MaxContents)
            {
                var at = o.Statement.Source?.Location.ToString() ?? link.Script.Name;
                throw new LinkException(LinkErrorIds.LinkOutputTooLarge, at, $"output section {o.Name}", null,
                    $"its {o.Size:#,0} bytes (0x{o.Size:x}) take the output's section contents past {MaxContents >> 30} GiB; ld would write it, this emulation refuses");
            }
        }
    }

    /// <summary>
    /// An ELF32 output section whose [vma, vma + size) passes 4 GiB (found by AFL++: a 0xfffffff5-byte NOBITS input
    /// beside another, which the writer could not put in a 32-bit header). ld's final links refuse it in
    /// lang_check_section_addresses ("VMA wraps around address space"); ld -r skips that check and writes the size
    /// modulo 2^32 (i686 ld.bfd 2.40: 0x1000001ef became 0x1ef), a wrong object; this emulation refuses, with ld's words.
    /// The alignment must fit the header's 32-bit field too.
    /// </summary>
    private static void CheckAddresses32(LinkResult link)
    {
        if (link.Identity.Is64)
        {
            return;
        }

        foreach (var o in link.Sections)
        {
            var (vma, size, align) = (o.WrittenAddress, o.Size, o.WrittenAlignment);
            if (vma > uint.MaxValue || size > uint.MaxValue || (size > 0 && vma + size - 1 > uint.MaxValue) || align > uint.MaxValue)
            {
                var at = o.Statement.Source?.Location.ToString() ?? link.Script.Name;
                throw new LinkException(LinkErrorIds.LinkAddressWraps, at, $"output section {o.Name}", null,
                    $"section {o.Name} VMA wraps around address space (ELF32: address 0x{vma:x}, size 0x{size:x}, alignment 0x{align:x}; ld -r would write the size modulo 2^32)");
            }
        }
    }

    /// <summary>
    /// The section groups ld -r writes: each kept .group lists its output members (<see cref="GroupFixup"/> has
    /// shrunk it for the members a script discarded). A group whose size bfd would then not fill exactly (an output
    /// relocation table the input did not list, or one listed that is not written) is not emulated.
    /// </summary>
    private static void CheckGroups(LinkResult link)
    {
        HashSet<OutputSection>? withTables = null;
        foreach (var file in link.Inputs)
        {
            foreach (var s in file.Sections)
            {
                if (s.Group is not { } g || !ReferenceEquals(g.Section, s) || s.Output is null || (s.Flags & SectionFlags.Exclude) != 0)
                {
                    continue;
                }

                withTables ??= link.Relocations.Select(t => t.Target).ToHashSet();
                var entries = 1UL + (ulong)g.Members.Where(m => m.Output is not null)
                    .Sum(m => 1 + (withTables.Contains(m.Output!) && InputGroup.RelocationsGrouped(m) ? 1 : 0));
                if (entries * 4 != s.Size)
                {
                    throw new LinkException(LinkErrorIds.LinkUnsupportedInput, file.Path, s.Elf.Describe(), s.Elf.HeaderOffset,
                        $"group [{g.Signature}] lists {s.Size / 4} words but its members and their written relocation tables make {entries}; " +
                        "how ld resizes such a group is not emulated");
                }
            }
        }
    }

    public static ElfWriter Build(LinkResult link)
    {
        var id = link.Identity;
        var writer = new ElfWriter(id) { BfdFileOrder = true, Entry = link.Entry, SectionWritten = new InputPageBudget(link.Inputs).Written };
        CheckSize(link);
        CheckAddresses32(link);
        CheckGroups(link);
        foreach (var o in link.Sections)
        {
            var type = o.WrittenType;
            if (type is ElfConstants.ShtSymtab or ElfConstants.ShtRel or ElfConstants.ShtRela or ElfConstants.ShtSymtabShndx)
            {
                // ld 2.40 copies a REL/RELA table that patches no section (or a section named .rel*/.rela* of an
                // unknown type, typed by bfd's name table) as data; the writer makes those tables itself, so this
                // is refused rather than written wrong (found by the mutation harness).
                var from = o.Inputs.FirstOrDefault();
                throw new LinkException(LinkErrorIds.LinkUnsupportedInput, from?.File.Path ?? link.Script.Name,
                    from?.Elf.Describe() ?? $"output section {o.Name}", from?.Elf.HeaderOffset,
                    $"output section {o.Name} would be a {(type is ElfConstants.ShtRel ? "REL" : type is ElfConstants.ShtRela ? "RELA" : "symbol")} table that patches no section; ld copies it as data, this emulation does not");
            }

            var flags = o.WrittenFlags;
            type = TypeWritten(link, o);
            if (id.Machine == ElfMachine.Mips)
            {
                flags |= MipsSectionNames.ExtraFlags(o.Name);
            }

            ElfContent? content = type == ElfConstants.ShtNobits ? null
                : type == ElfConstants.ShtGroup && o.Group is { } group ? new GroupContent(link, group, o.Size)
                : new SectionContent(link, o);
            var ws = writer.AddSection(o.Name, type, flags, content, o.Size);
            ws.Address = o.WrittenAddress;
            ws.AddrAlign = o.WrittenAlignment;
            ws.EntSize = o.WrittenEntSize(id.PointerSize, id.Machine);
            o.Written = ws;
        }

        foreach (var o in link.Sections)
        {
            if (o.LinkedTo?.Output is { } linked)
            {
                o.Written!.Link = linked.Written;
            }
        }

        writer.SetSymbols(new WrittenSymbols(link.Symbols));
        foreach (var o in link.Sections)
        {
            if (o.Group is not { } g)
            {
                continue;
            }

            if (o.WrittenType == ElfConstants.ShtGroup)
            {
                o.Written!.LinksSymbolTable = true;
                o.Written.InfoSymbol = o.SignatureGlobal?.OutputIndex ?? o.SignatureOrdinal;
            }
            else if (g.Members.Any(m => m.Output == o && InputGroup.RelocationsGrouped(m)))
            {
                o.Written!.RelocationFlags = ElfConstants.ShfGroup;
            }
        }

        foreach (var t in link.Relocations)
        {
            writer.AddRelocations(t.Target.Written!, t.IsRela, t.Count, t.EntryAt, threadSafe: true);
        }

        return writer;
    }

    /// <summary>An output section's bytes: its input sections (with REL addends rebased), data statements and zero
    /// padding, written in offset order straight from the mapped inputs.</summary>
    /// <summary>The link's symbols as the writer sees them, made when read. The writer reads each symbol several
    /// times (order, names, entries, SHN indices); the output section's writer section is looked up once per symbol
    /// into an array: reaching it through each symbol's output section was a cache miss per read, 7% of a
    /// 70 010-section link.</summary>
    private sealed class WrittenSymbols(IReadOnlyList<OutputSymbol> symbols)
        : IReadOnlyList<ElfWriterSymbol>
    {
        private ElfWriterSection?[]? _sections;

        public int Count => symbols.Count;

        public ElfWriterSymbol this[int index]
        {
            get
            {
                var sections = _sections ??= SectionsOf(symbols);
                var s = symbols[index];
                return new ElfWriterSymbol(s.Label, s.Value, s.Size, s.Binding, s.Type,
                    sections[index], s.SpecialIndex, s.Other);
            }
        }

        private static ElfWriterSection?[] SectionsOf(IReadOnlyList<OutputSymbol> symbols)
        {
            var sections = new ElfWriterSection?[symbols.Count];
            for (var i = 0; i < sections.Length; i++)
            {
                sections[i] = symbols[i].Section?.Written;
            }

            return sections;
        }

        public IEnumerator<ElfWriterSymbol> GetEnumerator()
        {
            for (var i = 0; i < symbols.Count; i++)
            {
                yield return this[i];
            }
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }

    /// <summary>
    /// bfd/elf.c <c>bfd_elf_set_group_contents</c> for ld -r: the flags word (GRP_COMDAT for a COMDAT group), then the
    /// output index of each member, each followed by its relocation table's when the input's carried SHF_GROUP;
    /// written backwards along bfd's member chain, so the members keep the group's order. Members the script
    /// discarded are skipped (their output is bfd_abs_section).
    /// </summary>
    private sealed class GroupContent(LinkResult link, InputGroup group, ulong size) : ElfContent
    {
        public override ulong Length => size;

        public override void WriteTo(Stream stream)
        {
            var words = new uint[size / 4];
            words[0] = group.Comdat ? InputGroup.GrpComdat : 0;
            var k = words.Length;
            foreach (var m in group.Chain.Where(m => m.Output is not null))
            {
                var w = m.Output!.Written!;
                if (w.RelocationIndex >= 0 && InputGroup.RelocationsGrouped(m))
                {
                    words[--k] = (uint)w.RelocationIndex;
                }

                words[--k] = (uint)w.Index;
            }

            var e = new ElfEndian(link.Identity.IsBigEndian);
            Span<byte> b = stackalloc byte[4];
            foreach (var word in words)
            {
                e.PutWord(b, word, 4);
                stream.Write(b);
            }
        }
    }

    private sealed class SectionContent(LinkResult link, OutputSection o) : ElfContent
    {
        public override ulong Length => o.Size;

        public override void WriteTo(Stream stream)
        {
            if (MipsGpValue.Applies(link, o))
            {
                // Small register-usage records: rendered, then given the output's GP value as ld does.
                using var buffer = new MemoryStream();
                WriteContents(buffer);
                var bytes = buffer.GetBuffer().AsSpan(0, (int)buffer.Length);
                MipsGpValue.Store(link, o, bytes);
                stream.Write(bytes);
                return;
            }

            WriteContents(stream);
        }

        private void WriteContents(Stream stream)
        {
            if (o.MergedContents is { } merged)
            {
                stream.Write(merged);
                return;
            }

            var pieces = new List<(ulong Offset, object Piece)>();
            if (o.HasLinkOrders)
            {
                Collect(o.Statement.Children, pieces);
            }

            Span<byte> b = stackalloc byte[8];
            ulong at = 0;
            // In offset order; statement order almost always is (a sorter per section was most of the write's
            // garbage on a 70 000-section link), and the stable sort keeps ties in statement order otherwise.
            var ordered = IsInOffsetOrder(pieces) ? pieces : [.. pieces.OrderBy(p => p.Offset)];
            foreach (var (offset, piece) in ordered)
            {
                Zero(stream, ref at, offset);
                switch (piece)
                {
                    case InputSection s:
                        WriteInput(stream, s);
                        at += s.Size;
                        break;
                    case DataNode d:
                        new ElfEndian(link.Identity.IsBigEndian).PutWord(b, d.Value, d.Source.Size);
                        stream.Write(b[..d.Source.Size]);
                        at += (ulong)d.Source.Size;
                        break;
                    case PaddingNode p:
                        var fill = CodeFill.For(link.Identity, (o.Flags & SectionFlags.Code) != 0, p.Size);
                        stream.Write(fill);
                        at += p.Size;
                        break;
                }
            }

            Zero(stream, ref at, o.Size);
        }

        private static bool IsInOffsetOrder(List<(ulong Offset, object Piece)> pieces)
        {
            for (var k = 1; k < pieces.Count; k++)
            {
                if (pieces[k].Offset < pieces[k - 1].Offset)
                {
                    return false;
                }
            }

            return true;
        }

        private static void Collect(List<LayoutNode> nodes, List<(ulong, object)> into)
        {
            foreach (var n in nodes)
            {
                switch (n)
                {
                    case InputSectionNode i when i.Section.Size > 0 && (i.Section.Flags & SectionFlags.Exclude) == 0 && !i.Section.IsNeverLoadFill:
                        into.Add((i.Section.OutputOffset, i.Section));
                        break;
                    case DataNode d:
                        into.Add((d.OutputOffset, d));
                        break;
                    case PaddingNode p when p.Size > 0:
                        into.Add((p.OutputOffset, p));
                        break;
                    case WildNode w:
                        Collect(w.Children, into);
                        break;
                }
            }
        }

        private static void Zero(Stream stream, ref ulong at, ulong to) => at = ElfContent.Zeros(stream, at, to);

        private void WriteInput(Stream stream, InputSection s)
        {
            if (s.Edit is { } eh)
            {
                // The input's bytes (with REL addends rebased), then its entries laid out again.
                using var input = new MemoryStream();
                WriteInputContents(input, s);
                var output = new byte[eh.Size];
                eh.Write(input.GetBuffer().AsSpan(0, (int)input.Length), output, link.Identity.IsBigEndian);
                stream.Write(output);
                return;
            }

            WriteInputContents(stream, s);
            if (s.CantUnwindAfter is { } text)
            {
                Span<byte> entry = stackalloc byte[8];
                ArmLinkBackend.WriteCantUnwind(entry, text, link.Identity.IsBigEndian);
                stream.Write(entry);
            }
        }

        private void WriteInputContents(Stream stream, InputSection s)
        {
            if (s.Elf.IsNoBits)
            {
                var at = 0UL;
                Zero(stream, ref at, s.Size);
                return;
            }

            var bytes = s.Replacement is { } r ? r : s.File.Elf.GetContents(s.Elf);
            var patches = link.PatchesOf(s);
            var ptr = link.Identity.PointerSize;
            var reverse = s.ReverseCopy && bytes.Length > ptr;
            if (patches.Count == 0 && !reverse)
            {
                stream.Write(bytes);
                return;
            }

            var buffer = ArrayPool<byte>.Shared.Rent(bytes.Length);
            try
            {
                var copy = buffer.AsSpan(0, bytes.Length);
                bytes.CopyTo(copy);
                var e = new ElfEndian(link.Identity.IsBigEndian);
                foreach (var p in patches)
                {
                    if (p.Offset + (ulong)p.Field.Size > (ulong)copy.Length)
                    {
                        continue;
                    }

                    var field = copy.Slice((int)p.Offset, p.Field.Size);
                    if (p.Clear)
                    {
                        p.Field.Clear(field, e, s.Name == ".debug_ranges");
                    }
                    else
                    {
                        p.Field.Rebase(field, e, p.Delta);
                    }
                }

                if (reverse)
                {
                    // ld writes the pointers last first (bfd/elflink.c, SEC_ELF_REVERSE_COPY).
                    for (var at = copy.Length - ptr; at >= 0; at -= ptr)
                    {
                        stream.Write(copy.Slice(at, ptr));
                    }

                    return;
                }

                stream.Write(copy);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }
}
