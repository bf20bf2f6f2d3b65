using DynDbg.ElfSim.Elf;

namespace DynDbg.ElfSim.Linking;

/// <summary>
/// The relocations of a relocatable output (the relocation part of bfd/elflink.c <c>elf_link_input_bfd</c> and the
/// backends' relocatable paths, then <c>bfd_elf_final_link</c>'s tables): input by input in final-link order, the
/// relocations of kept sections are moved to output offsets, section-symbol addends are rebased (in the RELA addend,
/// or as a patch of the contents for REL), references into discarded sections are errors or become R_*_NONE
/// (RELOC_AGAINST_DISCARDED_SECTION); once the globals are numbered, <see cref="Tables"/> makes the sorted tables.
/// Entries are not kept: a table holds, per input relocation section, what converting an entry needs, and the ELF
/// writer converts them again as it writes (a million-relocation link kept 32 bytes per relocation, issue 12's
/// memory figure); only tables that must be edited as a whole (sorted, or with droppable entries) are materialised.
/// Local symbols a relocation needs that were skipped are added to the output symbol list as they are met.
/// </summary>
internal sealed class RelocationCollector(LinkContext ctx, List<OutputSymbol> symbols, Dictionary<OutputSection, int> sectionSymbol)
{
    private const int PretendKept = 1;
    private const int Complain = 2;

    private readonly Dictionary<(OutputSection, bool), OutputRelocationTable> _tables = [];
    private readonly List<LinkSymbol> _referencedGlobals = [];

    /// <summary>The content patches of REL section-symbol rebasing and of cleared discarded references, by input section.</summary>
    public Dictionary<InputSection, List<ContentPatch>> Patches { get; } = [];

    private OutputRelocationTable TableFor(OutputSection o, bool rela)
    {
        if (!_tables.TryGetValue((o, rela), out var t))
        {
            t = new OutputRelocationTable(o, rela, ResolveSymbol);
            _tables[(o, rela)] = t;
        }

        return t;
    }

    /// <summary>The written r_sym of an entry: globals are kept as minus their ordinal until the output symbols
    /// are numbered.</summary>
    private int ResolveSymbol(int symbol)
    {
        if (symbol >= 0)
        {
            return symbol;
        }

        var h = _referencedGlobals[-symbol - 1];
        return h.OutputIndex != 0 ? h.OutputIndex : throw new InvalidOperationException($"relocation against {h.Name}, which is not output");
    }

    private int GlobalOrdinal(LinkSymbol h)
    {
        if (h.RelocationOrdinal == 0)
        {
            _referencedGlobals.Add(h);
            h.RelocationOrdinal = _referencedGlobals.Count;
        }

        return -h.RelocationOrdinal;
    }

    /// <summary>
    /// The relocation part of <c>elf_link_input_bfd</c> and the backends' relocatable paths: relocations of kept
    /// sections, at their output offsets; references into discarded sections are errors (or, from debugging
    /// sections, redirected to the kept linkonce copy, or turned into R_*_NONE). Each entry is converted once here
    /// (checks, skipped locals, patches); the tables keep only what converting it again needs.
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
                var run = new RelocationRun(file, s, rs, file.Elf.GetRelocations(rs), localIndex, gpDelta, ptr);
                var table = TableFor(s.Output!, run.Table.IsRela);
                if (s.Edit is { } eh)
                {
                    // .eh_frame laid out again: entries move or become R_*_NONE, so they are kept.
                    var chunk = table.OpenChunk();
                    var lastOffset = s.OutputOffset;
                    for (var k = 0; k < run.Table.Count; k++)
                    {
                        var r = run.Table.At(k);
                        if (eh.MapOffset(r.Offset) is not { } moved)
                        {
                            // elf_link_input_bfd: a relocation of a removed CIE/FDE becomes R_*_NONE at the last offset.
                            chunk.Add(new ElfWriterRelocation(lastOffset, 0, 0));
                            continue;
                        }

                        lastOffset = moved + s.OutputOffset;
                        var e = Convert(run, r, k, lastOffset, first: true, out var removable);
                        chunk.Add(e, removable);
                    }

                    continue;
                }

                table.AddRun(run, this, k =>
                {
                    var r = run.Table.At(k);
                    var e = Convert(run, r, k, run.OffsetOf(r), first: true, out var removable);
                    return (e.Offset, removable);
                });
            }

            if (s.CantUnwindAfter is { Output: { } textOutput })
            {
                var (at, type) = ArmLinkBackend.CantUnwindRelocation(s);
                TableFor(s.Output!, false).OpenChunk().Add(new ElfWriterRelocation(at, sectionSymbol[textOutput], type));
            }
        }
    }

    /// <summary>Entry <paramref name="k"/> of <paramref name="run"/> as written: again and again without side
    /// effects once the first call (<paramref name="first"/>, from <see cref="Collect"/>) has checked it, added the
    /// local symbol it needs and recorded its content patch.</summary>
    internal ElfWriterRelocation Convert(RelocationRun run, ElfRelocation r, int k, ulong offset, bool first, out bool removable)
    {
        removable = false;
        var (file, s, rs) = (run.File, run.Section, run.Relocations);
        var symtab = file.Elf.SymbolTable!;
        var rela = run.Table.IsRela;
        var gpDelta = run.GpDelta;
        var localIndex = run.LocalIndex;
        var firstGlobal = symtab.Section.Info;

        if (r.SymbolIndex == 0)
        {
            return new ElfWriterRelocation(offset, 0, r.Type, rela ? r.Addend : 0, r.Type2, r.Type3);
        }

        var isLocal = r.SymbolIndex < firstGlobal;
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
            var h = file.GlobalAt(r.SymbolIndex, firstGlobal) ?? ctx.Symbols.Find(symtab.GetName((int)r.SymbolIndex)) ??
                throw new ElfFormatException(ErrorIds.RelocationSymbolIndex, file.Path,
                    $"relocation [{k}] in {rs.Describe()}", null, $"refers to global symbol [{r.SymbolIndex}] without a name");
            if (first)
            {
                h.UsedByRelocation = true; // not again on the writer's two threads
            }

            if (h.IsDefined && h.Section is { Output: null } dsec)
            {
                var action = ActionDiscarded(s);
                if ((action & Complain) != 0)
                {
                    throw DiscardedReference(h.Name, s, dsec, rs, k);
                }

                removable = (s.Flags & SectionFlags.Debugging) != 0;
                return Discarded(s, r, offset, rela, rs, k, first);
            }

            return new ElfWriterRelocation(offset, GlobalOrdinal(h), r.Type, rela ? r.Addend : 0, r.Type2, r.Type3);
        }

        // Decoded only for a local: a global's entry is read through its link symbol.
        var sym = symtab[(int)r.SymbolIndex];
        InputSection? target = sym.IsInSection ? file.SectionAt(sym.SectionIndex) : null;
        if (target is { Output.Removed: true })
        {
            throw LinkEngine.RemovedSectionUse(target, $"the symbol of relocation {k} of {rs.Describe()}");
        }

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
                removable = (s.Flags & SectionFlags.Debugging) != 0;
                return Discarded(s, r, offset, rela, rs, k, first);
            }
        }

        if (sym.Type == ElfConstants.SttSection)
        {
            if (target is null)
            {
                // Against the absolute section: no symbol (ld's r_symndx = STN_UNDEF).
                return new ElfWriterRelocation(offset, 0, r.Type, rela ? r.Addend : 0, r.Type2, r.Type3);
            }

            var addend = r.Addend;
            if (rela)
            {
                addend += (long)target.OutputOffset;
            }
            else if (target.OutputOffset != 0 && first)
            {
                AddPatch(s, new ContentPatch(r.Offset, FieldOf(s, r, rs, k), (long)target.OutputOffset, false));
            }

            return new ElfWriterRelocation(offset, sectionSymbol[target.Output!], r.Type, rela ? addend : 0, r.Type2, r.Type3);
        }

        var index = LinkEngine.LocalIndex(symbols, localIndex, symtab, r.SymbolIndex, sym, target);
        return new ElfWriterRelocation(offset, index, r.Type, rela ? r.Addend : 0, r.Type2, r.Type3);
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
    private ElfWriterRelocation Discarded(InputSection s, in ElfRelocation r, ulong offset, bool rela, ElfSection rs, int index, bool first)
    {
        if (first)
        {
            var field = rela ? RelField.Of(ctx.Identity!.Machine, r.Type) : FieldOf(s, r, rs, index);
            if (field is { } f)
            {
                AddPatch(s, new ContentPatch(r.Offset, f, 0, true));
            }
        }

        return new ElfWriterRelocation(offset, 0, 0);
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
            $"`{name}' referenced in section `{from.MessageName}' of {from.File.Path}: defined in discarded section `{discarded.MessageName}' of {discarded.File.Path}");

    /// <summary>The field a REL relocation patches; an error for types whose handling in ld is not emulated.</summary>
    private RelField FieldOf(InputSection s, in ElfRelocation r, ElfSection rs, int index) =>
        RelField.Of(ctx.Identity!.Machine, r.Type) ?? throw new LinkException(LinkErrorIds.LinkUnsupportedInput, s.File.Path,
            $"relocation [{index}] in {rs.Describe()}", null,
            $"{ElfMachineNames.ElfName(ctx.Identity.Machine)} REL relocation type {r.Type} against a section symbol: how ld -r rebases its addend is not emulated");

    /// <summary>The output's relocation tables, in section order (REL before RELA), once the global symbols are
    /// numbered: entries refer to output symbol indices, and each table is sorted by offset as
    /// <c>bfd_elf_final_link</c> leaves it.</summary>
    public List<OutputRelocationTable> Tables()
    {
        var tables = new List<OutputRelocationTable>();
        foreach (var o in ctx.Sections)
        {
            foreach (var rela in new[] { false, true })
            {
                if (_tables.Remove((o, rela), out var t))
                {
                    t.Finish(SortsRelocations(o));
                    tables.Add(t);
                }
            }
        }

        return tables;
    }

    private bool SortsRelocations(OutputSection o) =>
        ctx.Identity!.Machine is not (ElfMachine.Mips or ElfMachine.S390) || (o.Flags & SectionFlags.Code) == 0;
}
