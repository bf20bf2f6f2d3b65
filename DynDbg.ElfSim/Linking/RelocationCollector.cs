using DynDbg.ElfSim.Elf;

namespace DynDbg.ElfSim.Linking;

/// <summary>
/// The relocations of a relocatable output (the relocation part of bfd/elflink.c <c>elf_link_input_bfd</c> and the
/// backends' relocatable paths, then <c>bfd_elf_final_link</c>'s tables): input by input in final-link order, the
/// relocations of kept sections are moved to output offsets, section-symbol addends are rebased (in the RELA addend,
/// or as a patch of the contents for REL), references into discarded sections are errors or become R_*_NONE
/// (RELOC_AGAINST_DISCARDED_SECTION); once the globals are numbered, <see cref="Tables"/> makes the sorted tables.
/// Local symbols a relocation needs that were skipped are added to the output symbol list as they are met.
/// </summary>
internal sealed class RelocationCollector(LinkContext ctx, List<OutputSymbol> symbols, Dictionary<OutputSection, int> sectionSymbol)
{
    /// <summary>What a relocation refers to before the output's global symbols are numbered.
    /// <c>Removable</c>: against a discarded section from a debugging section, which ld -r drops while more than one
    /// relocation is left for the output section (RELOC_AGAINST_DISCARDED_SECTION).</summary>
    private readonly record struct PendingRelocation(ulong Offset, uint Type, long Addend, byte Type2, byte Type3, int Local, LinkSymbol? Global, bool Removable = false);

    private const int PretendKept = 1;
    private const int Complain = 2;

    private readonly Dictionary<(OutputSection, bool), List<PendingRelocation>> _pending = [];

    /// <summary>The content patches of REL section-symbol rebasing and of cleared discarded references, by input section.</summary>
    public Dictionary<InputSection, List<ContentPatch>> Patches { get; } = [];

    /// <summary>
    /// The relocation part of <c>elf_link_input_bfd</c> and the backends' relocatable paths: relocations of kept
    /// sections, at their output offsets; references into discarded sections are errors (or, from debugging
    /// sections, redirected to the kept linkonce copy, or turned into R_*_NONE).
    /// </summary>
    public void Collect(InputObject file, int[] localIndex)
    {
        var symtab = file.Elf.SymbolTable;
        var gpDelta = ctx.Identity!.Machine == ElfMachine.Mips ? GpDelta(file) : 0;
        foreach (var s in file.Sections)
        {
            if (!s.HasLinkOrder)
            {
                continue;
            }

            var ptr = (ulong)ctx.Identity!.PointerSize;
            if (s.ReverseCopy && s.Size > ptr)
            {
                // elf_link_input_bfd, when it copies the section (relocations or not); MIPS n64 reads each external
                // relocation as three (int_rels_per_ext_rel), and compares size * 3 with that count * address size.
                var perExt = ctx.Identity.Machine == ElfMachine.Mips && ctx.Identity.Is64 ? 3UL : 1UL;
                var count = (ulong)s.RelocationSections.Sum(r => (long)(r.Size / Math.Max(1, r.EntSize))) * perExt;
                if (s.Size % ptr != 0 || (count != 0 && s.Size * perExt != count * ptr))
                {
                    throw new LinkException(LinkErrorIds.LinkReverseCopy, file.Path, s.Elf.Describe(), null,
                        $"size of section {s.Name} is not multiple of address size");
                }
            }

            // bfd_elf_final_link clears SEC_HAS_CONTENTS on the inputs of a merged attributes section, so
            // elf_link_input_bfd neither copies them nor writes their relocations.
            if (s.RelocationSections.Count == 0 || symtab is null || s.Output?.MergedContents is not null)
            {
                continue;
            }

            foreach (var rs in s.RelocationSections)
            {
                var table = file.Elf.GetRelocations(rs);
                var rela = table.IsRela;
                if (!_pending.TryGetValue((s.Output!, rela), out var list))
                {
                    list = [];
                    _pending[(s.Output!, rela)] = list;
                }

                var entries = table.Entries;
                var lastOffset = s.OutputOffset;
                for (var k = 0; k < entries.Length; k++)
                {
                    var r = entries[k];
                    var offset = (s.ReverseCopy ? s.Size - ptr - r.Offset : r.Offset) + s.OutputOffset;
                    if (s.Edit is { } eh)
                    {
                        // elf_link_input_bfd: a relocation of a removed CIE/FDE becomes R_*_NONE at the last offset.
                        if (eh.MapOffset(r.Offset) is not { } moved)
                        {
                            list.Add(new PendingRelocation(lastOffset, 0, 0, 0, 0, 0, null));
                            continue;
                        }

                        offset = moved + s.OutputOffset;
                    }

                    lastOffset = offset;
                    if (r.SymbolIndex == 0)
                    {
                        list.Add(new PendingRelocation(offset, r.Type, r.Addend, r.Type2, r.Type3, 0, null));
                        continue;
                    }

                    var isLocal = r.SymbolIndex < symtab.Section.Info;
                    var sym = symtab[(int)r.SymbolIndex];
                    if (isLocal && gpDelta != 0 && MipsGpValue.IsGpRelative(r.Type))
                    {
                        if (!rela)
                        {
                            throw new LinkException(LinkErrorIds.LinkUnsupportedInput, file.Path, $"relocation [{k}] in {rs.Describe()}", null,
                                "a REL GP-relative relocation against a local symbol whose addend ld would move by the change of GP value: not emulated");
                        }

                        r = r with { Addend = r.Addend + gpDelta };
                    }

                    if (!isLocal)
                    {
                        var name = symtab.GetName((int)r.SymbolIndex);
                        var h = ctx.Symbols.Find(name) ?? throw new ElfFormatException(ErrorIds.RelocationSymbolIndex, file.Path,
                            $"relocation [{k}] in {rs.Describe()}", null, $"refers to global symbol [{r.SymbolIndex}] without a name");
                        h.UsedByRelocation = true;
                        if (h.IsDefined && h.Section is { Output: null } dsec)
                        {
                            var action = ActionDiscarded(s);
                            if ((action & Complain) != 0)
                            {
                                throw DiscardedReference(name, s, dsec, rs, k);
                            }

                            list.Add(Discarded(s, r, offset, rela, rs, k));
                            continue;
                        }

                        list.Add(new PendingRelocation(offset, r.Type, r.Addend, r.Type2, r.Type3, 0, h));
                        continue;
                    }

                    InputSection? target = sym.IsInSection ? file.SectionAt(sym.SectionIndex) : null;
                    if (target is { Output: null })
                    {
                        var action = ActionDiscarded(s);
                        if ((action & Complain) != 0)
                        {
                            var name = sym.Type == ElfConstants.SttSection ? target.Name : symtab.GetName((int)r.SymbolIndex);
                            throw DiscardedReference(name, s, target, rs, k);
                        }

                        if ((action & PretendKept) != 0 && target.KeptInstead is { Output: not null } kept)
                        {
                            target = kept;
                        }
                        else
                        {
                            list.Add(Discarded(s, r, offset, rela, rs, k));
                            continue;
                        }
                    }

                    if (sym.Type == ElfConstants.SttSection)
                    {
                        if (target is null)
                        {
                            // Against the absolute section: no symbol (ld's r_symndx = STN_UNDEF).
                            list.Add(new PendingRelocation(offset, r.Type, r.Addend, r.Type2, r.Type3, 0, null));
                            continue;
                        }

                        var addend = r.Addend;
                        if (rela)
                        {
                            addend += (long)target.OutputOffset;
                        }
                        else if (target.OutputOffset != 0)
                        {
                            AddPatch(s, new ContentPatch(r.Offset, FieldOf(s, r, rs, k), (long)target.OutputOffset, false));
                        }

                        list.Add(new PendingRelocation(offset, r.Type, addend, r.Type2, r.Type3, sectionSymbol[target.Output!], null));
                        continue;
                    }

                    var index = localIndex.Length > r.SymbolIndex ? localIndex[r.SymbolIndex] : 0;
                    if (index == 0)
                    {
                        // Skipped earlier (e.g. its section was redirected to a kept linkonce copy): output it now.
                        var name = symtab.GetName((int)r.SymbolIndex);
                        symbols.Add(target is not null
                            ? new OutputSymbol(name, sym.Value + target.OutputOffset, sym.Size, ElfConstants.StbLocal, sym.Type, sym.Other, target.Output, 0)
                            : new OutputSymbol(name, sym.Value, sym.Size, ElfConstants.StbLocal, sym.Type, sym.Other, null, (ushort)sym.SectionIndex));
                        index = symbols.Count;
                        localIndex[r.SymbolIndex] = index;
                    }

                    list.Add(new PendingRelocation(offset, r.Type, r.Addend, r.Type2, r.Type3, index, null));
                }
            }

            if (s.CantUnwindAfter is { Output: { } textOutput })
            {
                var (at, type) = ArmLinkBackend.CantUnwindRelocation(s);
                _pending[(s.Output!, false)].Add(new PendingRelocation(at, type, 0, 0, 0, sectionSymbol[textOutput], null));
            }
        }
    }

    private long? _outputGp;

    /// <summary>MIPS: the input's GP value minus the output's (<see cref="MipsGpValue"/>).</summary>
    private long GpDelta(InputObject file)
    {
        _outputGp ??= (long)MipsGpValue.Of(ctx.Sections, ctx.Symbols.Find("_gp"));
        return unchecked((long)MipsGpValue.OfInput(file, ctx.Identity!) - _outputGp.Value);
    }

    /// <summary>RELOC_AGAINST_DISCARDED_SECTION: the field is cleared (REL or RELA) and the entry becomes R_*_NONE,
    /// or goes away when it is in a debugging section. A RELA field of a type without a known howto is left as it is:
    /// assemblers write zero there.</summary>
    private PendingRelocation Discarded(InputSection s, in ElfRelocation r, ulong offset, bool rela, ElfSection rs, int index)
    {
        var field = rela ? RelField.Of(ctx.Identity!.Machine, r.Type) : FieldOf(s, r, rs, index);
        if (field is { } f)
        {
            AddPatch(s, new ContentPatch(r.Offset, f, 0, true));
        }

        return new PendingRelocation(offset, 0, 0, 0, 0, 0, null, (s.Flags & SectionFlags.Debugging) != 0);
    }

    private void AddPatch(InputSection s, ContentPatch p)
    {
        if (!Patches.TryGetValue(s, out var list))
        {
            list = [];
            Patches[s] = list;
        }

        list.Add(p);
    }

    /// <summary>bfd/elflink.c <c>_bfd_elf_default_action_discarded</c>.</summary>
    private static int ActionDiscarded(InputSection o)
    {
        if ((o.Flags & SectionFlags.Debugging) != 0)
        {
            return PretendKept;
        }

        // elf_section_ignore_discarded_relocs: .eh_frame (parsed), and MIPS's .pdr (_bfd_mips_elf_ignore_discarded_relocs).
        return o.Name is ".eh_frame" or ".sframe" or ".gcc_except_table" ||
               (o.Name == ".pdr" && o.File.Elf.Header.Machine == ElfMachine.Mips) ? 0 : Complain | PretendKept;
    }

    private static LinkException DiscardedReference(string name, InputSection from, InputSection discarded, ElfSection rs, int index) =>
        new(LinkErrorIds.LinkDiscardedReference, from.File.Path, $"relocation [{index}] in {rs.Describe()}", null,
            $"`{name}' referenced in section `{from.Name}' of {from.File.Path}: defined in discarded section `{discarded.Name}' of {discarded.File.Path}");

    /// <summary>The field a REL relocation patches; an error for types whose handling in ld is not emulated.</summary>
    private RelField FieldOf(InputSection s, in ElfRelocation r, ElfSection rs, int index) =>
        RelField.Of(ctx.Identity!.Machine, r.Type) ?? throw new LinkException(LinkErrorIds.LinkUnsupportedInput, s.File.Path,
            $"relocation [{index}] in {rs.Describe()}", null,
            $"{ElfMachineNames.ElfName(ctx.Identity.Machine)} REL relocation type {r.Type} against a section symbol: how ld -r rebases its addend is not emulated");

    /// <summary>The output's relocation tables, in section order (REL before RELA), once the global symbols are
    /// numbered: entries refer to output symbol indices, and each table is sorted by offset as
    /// <c>bfd_elf_final_link</c> leaves it.</summary>
    public List<OutputRelocationTable> Tables(Dictionary<LinkSymbol, int> globalIndex)
    {
        var tables = new List<OutputRelocationTable>();
        foreach (var o in ctx.Sections)
        {
            foreach (var rela in new[] { false, true })
            {
                if (!_pending.TryGetValue((o, rela), out var list))
                {
                    continue;
                }

                var entries = WithoutRemoved(list).Select(p => new ElfWriterRelocation(p.Offset,
                        p.Global is { } g ? globalIndex[g] : p.Local, p.Type, rela ? p.Addend : 0, p.Type2, p.Type3))
                    .ToArray();
                if (SortsRelocations(o) && !IsSortedByOffset(entries))
                {
                    entries = [.. entries.OrderBy(r => r.Offset)]; // LINQ's OrderBy is stable, as ld's insertion sort is.
                }

                _pending.Remove((o, rela));
                tables.Add(new OutputRelocationTable(o, rela, entries));
            }
        }

        return tables;
    }

    /// <summary>bfd/elflink.c <c>bfd_elf_final_link</c> sorts unless the backend's <c>sort_relocs_p</c> says no: MIPS
    /// (<c>_bfd_mips_elf_sort_relocs_p</c>) and s390 (<c>elf_s390_elf_sort_relocs_p</c>) keep the input order in code
    /// sections (their HI16/LO16 pairs and TLS call sequences depend on it).</summary>
    private bool SortsRelocations(OutputSection o) =>
        ctx.Identity!.Machine is not (ElfMachine.Mips or ElfMachine.S390) || (o.Flags & SectionFlags.Code) == 0;

    /// <summary>Inputs usually come in offset order already; then the stable sort is not needed.</summary>
    private static bool IsSortedByOffset(ElfWriterRelocation[] entries)
    {
        for (var i = 1; i < entries.Length; i++)
        {
            if (entries[i].Offset < entries[i - 1].Offset)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>RELOC_AGAINST_DISCARDED_SECTION in a relocatable link: a debugging section's relocation against a
    /// discarded section is removed while the output section's relocation count stays above one; the one that would
    /// empty it stays, as R_*_NONE.</summary>
    private static IEnumerable<PendingRelocation> WithoutRemoved(List<PendingRelocation> list)
    {
        var removable = list.Count(p => p.Removable);
        if (removable == 0)
        {
            return list;
        }

        var keep = removable == list.Count ? list.FindLastIndex(p => p.Removable) : -1;
        return list.Where((p, i) => !p.Removable || i == keep);
    }
}
