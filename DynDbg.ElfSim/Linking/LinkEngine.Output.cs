using DynDbg.ElfSim.Elf;

namespace DynDbg.ElfSim.Linking;

internal sealed partial class LinkEngine
{
    /// <summary>What a relocation refers to before the output's global symbols are numbered.
    /// <c>Removable</c>: against a discarded section from a debugging section, which ld -r drops while more than one
    /// relocation is left for the output section (RELOC_AGAINST_DISCARDED_SECTION).</summary>
    private readonly record struct PendingRelocation(ulong Offset, uint Type, long Addend, byte Type2, byte Type3, int Local, LinkSymbol? Global, bool Removable = false);

    private const int PretendKept = 1;
    private const int Complain = 2;

    /// <summary>
    /// bfd/elflink.c <c>bfd_elf_final_link</c> for a relocatable output: a section symbol per output section, then
    /// each input's local symbols (a FILE symbol first when the input has none), then HIDDEN script symbols, then
    /// the global symbols in hash-table order; relocations moved to output offsets, section-symbol addends rebased
    /// (in the RELA addend, or in the contents for REL), and each table sorted by offset.
    /// </summary>
    private LinkResult BuildResult()
    {
        var symbols = new List<OutputSymbol>();
        var sectionSymbol = new Dictionary<OutputSection, int>();
        foreach (var o in _ctx.Sections)
        {
            sectionSymbol[o] = symbols.Count + 1;
            symbols.Add(new OutputSymbol("", 0, 0, ElfConstants.StbLocal, ElfConstants.SttSection, 0, o, 0));
        }

        var patches = new Dictionary<InputSection, List<ContentPatch>>();
        var pending = new Dictionary<(OutputSection, bool), List<PendingRelocation>>();
        foreach (var file in FinalLinkOrder())
        {
            var localIndex = EmitLocals(file, symbols);
            CollectRelocations(file, localIndex, symbols, sectionSymbol, patches, pending);
        }

        var globalIndex = new Dictionary<LinkSymbol, int>();
        var fileSymbolDone = false;
        var haveFileSymbols = symbols.Any(x => x.Type == ElfConstants.SttFile);
        foreach (var h in _ctx.Symbols.InTraversalOrder().Where(h => h.ForcedLocal))
        {
            // elf_link_output_extsym: a nameless FILE symbol before the first forced-local one, so they are not
            // taken for locals of the last input.
            var count = symbols.Count;
            if (EmitGlobal(h, symbols, ElfConstants.StbLocal))
            {
                if (!fileSymbolDone && haveFileSymbols)
                {
                    symbols.Insert(count, new OutputSymbol("", 0, 0, ElfConstants.StbLocal, ElfConstants.SttFile, 0, null, ElfConstants.ShnAbs));
                    fileSymbolDone = true;
                }

                globalIndex[h] = symbols.Count;
            }
        }

        foreach (var h in _ctx.Symbols.InTraversalOrder().Where(h => !h.ForcedLocal))
        {
            if (EmitGlobal(h, symbols, null))
            {
                globalIndex[h] = symbols.Count;
            }
        }

        var tables = new List<OutputRelocationTable>();
        foreach (var o in _ctx.Sections)
        {
            foreach (var rela in new[] { false, true })
            {
                if (!pending.TryGetValue((o, rela), out var list))
                {
                    continue;
                }

                var entries = WithoutRemoved(list).Select(p => new ElfWriterRelocation(p.Offset,
                        p.Global is { } g ? globalIndex[g] : p.Local, p.Type, rela ? p.Addend : 0, p.Type2, p.Type3))
                    .ToArray();
                if (!IsSortedByOffset(entries))
                {
                    entries = [.. entries.OrderBy(r => r.Offset)]; // LINQ's OrderBy is stable, as ld's insertion sort is.
                }

                pending.Remove((o, rela));
                tables.Add(new OutputRelocationTable(o, rela, entries));
            }
        }

        return new LinkResult(_ctx.Script, _ctx.Identity!, _ctx.Options, _ctx.Inputs, _ctx.LoadOrder, _ctx.Sections.ToList(), symbols, tables,
            _ctx.Statements, patches, _ctx.Symbols.InTraversalOrder().ToList());
    }

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

    /// <summary>
    /// The order bfd/elflink.c <c>bfd_elf_final_link</c> processes inputs in: by the first appearance of one of their
    /// sections in the output sections' link orders (ld/ldwrite.c builds those only for output sections with
    /// contents). An input with no such section is never processed: none of its local symbols are written.
    /// </summary>
    private IEnumerable<InputObject> FinalLinkOrder()
    {
        var seen = new HashSet<InputObject>();
        foreach (var o in _ctx.Sections)
        {
            foreach (var i in o.Statement.InputSectionsInOrder())
            {
                if (HasLinkOrder(i) && seen.Add(i.File))
                {
                    yield return i.File;
                }
            }
        }
    }

    /// <summary>ld/ldwrite.c <c>build_link_order</c>: whether the section is copied into the output (its output section
    /// has contents). Only those are marked for bfd_elf_final_link, so only their relocations are written.</summary>
    private static bool HasLinkOrder(InputSection i) =>
        i.Output is { HasLinkOrders: true } && (i.Flags & SectionFlags.Exclude) == 0 && !i.IsNeverLoadFill;

    /// <summary>bfd/elflink.c <c>elf_link_input_bfd</c>'s local-symbol loop. Returns output index (1-based) by input index.</summary>
    private static int[] EmitLocals(InputObject file, List<OutputSymbol> symbols)
    {
        var symtab = file.Elf.SymbolTable;
        if (symtab is null)
        {
            return [];
        }

        var map = new int[symtab.Count];
        var haveFile = false;
        var locals = Math.Min((int)symtab.Section.Info, symtab.Count);
        for (var i = 1; i < locals; i++)
        {
            var sym = symtab[i];
            if (sym.IsUndefined || sym.Type == ElfConstants.SttSection)
            {
                continue;
            }

            InputSection? isec = null;
            if (sym.IsInSection)
            {
                isec = file.SectionAt(sym.SectionIndex);
                if (isec?.Output is null)
                {
                    // No section, or a discarded one: not output.
                    continue;
                }
            }
            else if (sym.SectionIndex is not (ElfConstants.ShnAbs or ElfConstants.ShnCommon))
            {
                continue;
            }

            if (sym.Type == ElfConstants.SttFile)
            {
                haveFile = true;
            }

            if (!haveFile)
            {
                haveFile = true;
                symbols.Add(new OutputSymbol(Path.GetFileName(file.Path), 0, 0, ElfConstants.StbLocal, ElfConstants.SttFile, 0, null, ElfConstants.ShnAbs));
            }

            var name = symtab.GetName(i);
            symbols.Add(isec is not null
                ? new OutputSymbol(name, sym.Value + isec.OutputOffset, sym.Size, ElfConstants.StbLocal, sym.Type, sym.Other, isec.Output, 0)
                : new OutputSymbol(name, sym.Value, sym.Size, ElfConstants.StbLocal, sym.Type, sym.Other, null, (ushort)sym.SectionIndex));
            map[i] = symbols.Count;
        }

        return map;
    }

    /// <summary>bfd/elflink.c <c>elf_link_output_extsym</c>: whether and how a hash-table symbol is written.</summary>
    private static bool EmitGlobal(LinkSymbol h, List<OutputSymbol> symbols, byte? forceBinding)
    {
        switch (h.State)
        {
            case LinkSymbolState.New:
                return false;
            case LinkSymbolState.Undefined or LinkSymbolState.UndefinedWeak:
                if (h.DefinitionDiscarded && !h.UsedByRelocation)
                {
                    return false;
                }

                symbols.Add(new OutputSymbol(h.Name, 0, h.Size, forceBinding ?? (h.State == LinkSymbolState.UndefinedWeak ? ElfConstants.StbWeak : ElfConstants.StbGlobal),
                    h.Type, h.Other, null, ElfConstants.ShnUndef));
                return true;
            case LinkSymbolState.Common:
                symbols.Add(new OutputSymbol(h.Name, h.CommonAlignment, h.Size, forceBinding ?? ElfConstants.StbGlobal,
                    h.Type, h.Other, null, ElfConstants.ShnCommon));
                return true;
        }

        var binding = forceBinding ?? (h.State == LinkSymbolState.DefinedWeak ? ElfConstants.StbWeak : ElfConstants.StbGlobal);
        if (h.ScriptDefined)
        {
            symbols.Add(h.ScriptSection is { } os
                ? new OutputSymbol(h.Name, h.Value, h.Size, binding, h.Type, h.Other, os, 0)
                : new OutputSymbol(h.Name, h.Value, h.Size, binding, h.Type, h.Other, null, ElfConstants.ShnAbs));
            return true;
        }

        if (h.Section is { } isec)
        {
            if (isec.Output is null)
            {
                // Defined in a discarded section (ld's strip_discarded).
                return false;
            }

            symbols.Add(new OutputSymbol(h.Name, h.Value + isec.OutputOffset, h.Size, binding, h.Type, h.Other, isec.Output, 0));
            return true;
        }

        symbols.Add(new OutputSymbol(h.Name, h.Value, h.Size, binding, h.Type, h.Other, null, ElfConstants.ShnAbs));
        return true;
    }

    /// <summary>
    /// The relocation part of <c>elf_link_input_bfd</c> and the backends' relocatable paths: relocations of kept
    /// sections, at their output offsets; references into discarded sections are errors (or, from debugging
    /// sections, redirected to the kept linkonce copy, or turned into R_*_NONE).
    /// </summary>
    private void CollectRelocations(InputObject file, int[] localIndex, List<OutputSymbol> symbols,
        Dictionary<OutputSection, int> sectionSymbol, Dictionary<InputSection, List<ContentPatch>> patches,
        Dictionary<(OutputSection, bool), List<PendingRelocation>> pending)
    {
        var symtab = file.Elf.SymbolTable;
        foreach (var s in file.Sections)
        {
            if (!HasLinkOrder(s) || s.RelocationSections.Count == 0 || symtab is null)
            {
                continue;
            }

            var ptr = (ulong)_ctx.Identity!.PointerSize;
            if (s.ReverseCopy && s.Size > ptr)
            {
                var count = s.RelocationSections.Sum(r => (long)(r.Size / Math.Max(1, r.EntSize)));
                if (s.Size % ptr != 0 || (count != 0 && s.Size != (ulong)count * ptr))
                {
                    throw new ElfFormatException(ErrorIds.LinkReverseCopy, file.Path, s.Elf.Describe(), null,
                        $"size of section {s.Name} is not multiple of address size");
                }
            }

            foreach (var rs in s.RelocationSections)
            {
                var table = file.Elf.GetRelocations(rs);
                var rela = table.IsRela;
                if (!pending.TryGetValue((s.Output!, rela), out var list))
                {
                    list = [];
                    pending[(s.Output!, rela)] = list;
                }

                var entries = table.Entries;
                for (var k = 0; k < entries.Length; k++)
                {
                    var r = entries[k];
                    var offset = (s.ReverseCopy ? s.Size - ptr - r.Offset : r.Offset) + s.OutputOffset;
                    if (r.SymbolIndex == 0)
                    {
                        list.Add(new PendingRelocation(offset, r.Type, r.Addend, r.Type2, r.Type3, 0, null));
                        continue;
                    }

                    var isLocal = r.SymbolIndex < symtab.Section.Info;
                    var sym = symtab[(int)r.SymbolIndex];
                    if (!isLocal)
                    {
                        var name = symtab.GetName((int)r.SymbolIndex);
                        var h = _ctx.Symbols.Find(name) ?? throw new ElfFormatException(ErrorIds.RelocationSymbolIndex, file.Path,
                            $"relocation [{k}] in {rs.Describe()}", null, $"refers to global symbol [{r.SymbolIndex}] without a name");
                        h.UsedByRelocation = true;
                        if (h.IsDefined && h.Section is { Output: null } dsec)
                        {
                            var action = ActionDiscarded(s);
                            if ((action & Complain) != 0)
                            {
                                throw DiscardedReference(name, s, dsec, rs, k);
                            }

                            list.Add(Discarded(s, r, offset, rela, patches, rs, k));
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
                            list.Add(Discarded(s, r, offset, rela, patches, rs, k));
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
                            AddPatch(patches, s, new ContentPatch(r.Offset, FieldOf(s, r, rs, k), (long)target.OutputOffset, false));
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
        }
    }

    /// <summary>RELOC_AGAINST_DISCARDED_SECTION: the field is cleared (REL or RELA) and the entry becomes R_*_NONE,
    /// or goes away when it is in a debugging section. A RELA field of a type without a known howto is left as it is:
    /// assemblers write zero there.</summary>
    private PendingRelocation Discarded(InputSection s, in ElfRelocation r, ulong offset, bool rela, Dictionary<InputSection, List<ContentPatch>> patches, ElfSection rs, int index)
    {
        var field = rela ? RelField.Of(_ctx.Identity!.Machine, r.Type) : FieldOf(s, r, rs, index);
        if (field is { } f)
        {
            AddPatch(patches, s, new ContentPatch(r.Offset, f, 0, true));
        }

        return new PendingRelocation(offset, 0, 0, 0, 0, 0, null, (s.Flags & SectionFlags.Debugging) != 0);
    }

    private static void AddPatch(Dictionary<InputSection, List<ContentPatch>> patches, InputSection s, ContentPatch p)
    {
        if (!patches.TryGetValue(s, out var list))
        {
            list = [];
            patches[s] = list;
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

        return o.Name is ".eh_frame" or ".sframe" or ".gcc_except_table" ? 0 : Complain | PretendKept;
    }

    private static ElfFormatException DiscardedReference(string name, InputSection from, InputSection discarded, ElfSection rs, int index) =>
        new(ErrorIds.LinkDiscardedReference, from.File.Path, $"relocation [{index}] in {rs.Describe()}", null,
            $"`{name}' referenced in section `{from.Name}' of {from.File.Path}: defined in discarded section `{discarded.Name}' of {discarded.File.Path}");

    /// <summary>The field a REL relocation patches; an error for types whose handling in ld is not emulated.</summary>
    private RelField FieldOf(InputSection s, in ElfRelocation r, ElfSection rs, int index) =>
        RelField.Of(_ctx.Identity!.Machine, r.Type) ?? throw new ElfFormatException(ErrorIds.LinkUnsupportedInput, s.File.Path,
            $"relocation [{index}] in {rs.Describe()}", null,
            $"{ElfMachineNames.ElfName(_ctx.Identity.Machine)} REL relocation type {r.Type} against a section symbol: how ld -r rebases its addend is not emulated");
}
