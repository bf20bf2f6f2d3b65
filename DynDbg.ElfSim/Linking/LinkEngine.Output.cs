using DynDbg.ElfSim.Elf;

namespace DynDbg.ElfSim.Linking;

internal sealed partial class LinkEngine
{
    /// <summary>
    /// bfd/elflink.c <c>bfd_elf_final_link</c> for a relocatable output: a section symbol per output section, then
    /// each input's local symbols (a FILE symbol first when the input has none), then HIDDEN script symbols, then
    /// the global symbols in hash-table order; relocations moved to output offsets, section-symbol addends rebased
    /// (in the RELA addend, or in the contents for REL), and each table sorted by offset.
    /// </summary>
    private LinkResult BuildResult()
    {
        // Every section symbol, local and global at most: sized once (a million symbols would otherwise regrow it).
        var symbols = new List<OutputSymbol>(_ctx.Sections.Count + 1 + _ctx.Inputs.Sum(i => i.Elf.SymbolTable?.Count ?? 0));
        var headerOrder = HeaderOrder();
        var sectionSymbol = new Dictionary<OutputSection, int>(headerOrder.Count);
        foreach (var o in headerOrder)
        {
            sectionSymbol[o] = symbols.Count + 1;
            symbols.Add(new OutputSymbol("", 0, 0, ElfConstants.StbLocal, ElfConstants.SttSection, 0, o, 0));
        }

        // ld/emultempl/riscvelf.em riscv_elf_before_allocation turns ld's default discard_sec_merge into discard_l
        // (as -X would), also in -r: local labels are dropped, and come back only where a relocation needs them.
        var discardLocalLabels = _ctx.Identity!.Machine == ElfMachine.RiscV;
        var relocations = new RelocationCollector(_ctx, symbols, sectionSymbol);
        foreach (var file in FinalLinkOrder())
        {
            var localIndex = EmitLocals(file, symbols, discardLocalLabels);
            GroupSignatures(file, symbols, sectionSymbol, localIndex);
            relocations.Collect(file, localIndex);
            file.Elf.ReleaseResidentPages(); // its locals and relocations are read
        }

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

                h.OutputIndex = symbols.Count;
            }
        }

        // elf_backend_output_arch_local_syms, between the locals and the globals.
        if (_ctx.Identity!.Machine == ElfMachine.Arm)
        {
            ArmLinkBackend.AddDataMappingSymbols(_ctx, symbols);
        }

        foreach (var h in _ctx.Symbols.InTraversalOrder().Where(h => !h.ForcedLocal))
        {
            if (EmitGlobal(h, symbols, null))
            {
                h.OutputIndex = symbols.Count;
            }
        }

        var tables = relocations.Tables();

        return new LinkResult(_ctx.Script, _ctx.Identity!, _ctx.Options, _ctx.Inputs, _ctx.LoadOrder, _ctx.Sections.ToList(), symbols, tables,
            _ctx.Statements, relocations.Patches, _ctx.Symbols.InTraversalOrder().ToList(), _ctx.Properties)
        {
            Entry = EntryAddress(),
            AttributeLog = _ctx.AttributeLog,
        };
    }

    /// <summary>
    /// ld/ldlang.c <c>lang_end</c>, in -r too: e_entry is the address of the ENTRY symbol, or of the default entry
    /// symbol "start" (<c>entry_symbol_default</c>; a -T script replaces the default script's ENTRY(_start)), when a
    /// global of that name is defined; else 0 (a relocatable output gets no fallback to the start of .text).
    /// </summary>
    private ulong EntryAddress()
    {
        if (_ctx.Symbols.Find(_ctx.EntrySymbol ?? "start") is { State: LinkSymbolState.Defined or LinkSymbolState.DefinedWeak } h)
        {
            return h.Address;
        }

        return 0; // lang_end would read the name as a number, but a script's ENTRY takes only a name
    }

    /// <summary>bfd/elf.c <c>assign_section_numbers</c> for a relocatable output: the SHT_GROUP sections first, then
    /// the rest in output order. The section symbols follow this order, as the writer's section header table does
    /// (<see cref="ElfWriter.BfdFileOrder"/>).</summary>
    private IReadOnlyList<OutputSection> HeaderOrder() => ElfWriter.GroupsFirst(_ctx.Sections, o => o.WrittenType == ElfConstants.ShtGroup);

    /// <summary>
    /// bfd/elflink.c <c>elf_link_input_bfd</c> for each kept .group of the file: the output group's sh_info names
    /// the signature symbol. A global one is output whatever else would strip it (its index is set once the globals
    /// are written); a section symbol gives its output section's symbol; another local its output index, written
    /// now if it was not yet.
    /// </summary>
    private void GroupSignatures(InputObject file, List<OutputSymbol> symbols, Dictionary<OutputSection, int> sectionSymbol, int[] localIndex)
    {
        if (file.Elf.SymbolTable is not { } symtab)
        {
            return;
        }

        foreach (var s in file.Sections)
        {
            if (s.Group is not { } g || !ReferenceEquals(g.Section, s) || s.Output is not { } o || (s.Flags & SectionFlags.Exclude) != 0)
            {
                continue;
            }

            var index = g.SignatureSymbol;
            var firstGlobal = symtab.Section.Info;
            if (index >= firstGlobal)
            {
                var h = file.GlobalAt(index, firstGlobal) ?? throw new LinkException(LinkErrorIds.LinkUnsupportedInput, file.Path,
                    s.Elf.Describe(), s.Elf.HeaderOffset, $"the group's signature symbol [{index}] is a global without a name");
                h.GroupSignature = true;
                o.SignatureGlobal = h;
                continue;
            }

            var sym = symtab[(int)index];
            var target = sym.IsInSection ? file.SectionAt(sym.SectionIndex) : null;
            if (sym.Type == ElfConstants.SttSection)
            {
                o.SignatureOrdinal = target?.Output is { } so ? sectionSymbol[so]
                    : throw new LinkException(LinkErrorIds.LinkUnsupportedInput, file.Path, s.Elf.Describe(), s.Elf.HeaderOffset,
                        $"the group's signature is the section symbol of a member the script discards; ld 2.40 fails on it without a message (elf_link_input_bfd)");
                continue;
            }

            o.SignatureOrdinal = LocalIndex(symbols, localIndex, symtab, index, sym, target);
        }
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
                if (i.HasLinkOrder && seen.Add(i.File))
                {
                    yield return i.File;
                }
            }
        }
    }

    /// <summary>The output index of local symbol <paramref name="index"/>; one <see cref="EmitLocals"/> skipped (its
    /// section redirected to a kept linkonce copy, say) is written now, as elf_link_input_bfd does for relocations
    /// and group signatures that need it.</summary>
    internal static int LocalIndex(List<OutputSymbol> symbols, int[] localIndex, ElfSymbolTable symtab, uint index, in ElfSymbol sym, InputSection? target)
    {
        var at = localIndex.Length > index ? localIndex[index] : 0;
        if (at != 0)
        {
            return at;
        }

        var name = new SymbolName(symtab, (int)index);
        // A local in a discarded section (a group's signature whose member the script discarded: elf_link_input_bfd
        // outputs it against bfd_abs_section) is absolute.
        symbols.Add(target is { Output: null }
            ? new OutputSymbol(name, sym.Value, sym.Size, ElfConstants.StbLocal, sym.Type, sym.Other, null, ElfConstants.ShnAbs)
            : target is not null
            ? new OutputSymbol(name, sym.Value + target.OutputOffset, sym.Size, ElfConstants.StbLocal, sym.Type, sym.Other, target.Output, 0)
            : new OutputSymbol(name, sym.Value, sym.Size, ElfConstants.StbLocal, sym.Type, sym.Other, null, (ushort)sym.SectionIndex));
        localIndex[index] = symbols.Count;
        return symbols.Count;
    }

    /// <summary>bfd/elflink.c <c>elf_link_input_bfd</c>'s local-symbol loop. Returns output index (1-based) by input index.</summary>
    private static int[] EmitLocals(InputObject file, List<OutputSymbol> symbols, bool discardLocalLabels)
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
                if (isec?.Output is not { Removed: false })
                {
                    // No section, a discarded one, or one whose output section bfd removed from the list (an empty
                    // .group, bfd_section_removed_from_list): not output.
                    continue;
                }
            }
            else if (sym.SectionIndex is not (ElfConstants.ShnAbs or ElfConstants.ShnCommon))
            {
                continue;
            }

            if (discardLocalLabels && IsLocalLabelName(symtab.GetName(i)))
            {
                continue;
            }

            var name = new SymbolName(symtab, i);

            if (sym.Type == ElfConstants.SttFile)
            {
                haveFile = true;
            }

            if (!haveFile)
            {
                haveFile = true;
                symbols.Add(new OutputSymbol(Path.GetFileName(file.Path), 0, 0, ElfConstants.StbLocal, ElfConstants.SttFile, 0, null, ElfConstants.ShnAbs));
            }

            // adjust_eh_frame_local_symbols moves local NOTYPE/OBJECT symbols with their .eh_frame entries.
            var value = isec is not null && sym.Info <= 1 ? isec.SymbolValue(sym.Value) : sym.Value;
            symbols.Add(isec is not null
                ? new OutputSymbol(name, value + isec.OutputOffset, sym.Size, ElfConstants.StbLocal, sym.Type, sym.Other, isec.Output, 0)
                : new OutputSymbol(name, sym.Value, sym.Size, ElfConstants.StbLocal, sym.Type, sym.Other, null, (ushort)sym.SectionIndex));
            map[i] = symbols.Count;
        }

        return map;
    }

    /// <summary>bfd/elf.c <c>_bfd_elf_is_local_label_name</c>: ".L…", "..…", "_.L_…", and the assembler's fake
    /// "L&lt;digit&gt;^A…" (its loop rejects every other "L&lt;digits&gt;" form).</summary>
    private static bool IsLocalLabelName(string name) =>
        name.StartsWith(".L", StringComparison.Ordinal) || name.StartsWith("..", StringComparison.Ordinal) ||
        name.StartsWith("_.L_", StringComparison.Ordinal) ||
        (name.Length > 2 && name[0] == 'L' && char.IsAsciiDigit(name[1]) && name[2] == '\u0001');

    /// <summary>bfd/elflink.c <c>elf_link_output_extsym</c>: whether and how a hash-table symbol is written, then
    /// the backend's swap_symbol_out.</summary>
    private static bool EmitGlobal(LinkSymbol h, List<OutputSymbol> symbols, byte? forceBinding)
    {
        if (!EmitGlobalEntry(h, symbols, forceBinding))
        {
            return false;
        }

        if (h.ArmThumb)
        {
            // elf32_arm_swap_symbol_out: a Thumb branch type is written as STT_FUNC (an IFUNC stays one) with the low
            // bit set unless undefined; a common keeps it from a Thumb weak definition it took over or ignored.
            var s = symbols[^1];
            symbols[^1] = s with
            {
                Type = s.Type == ElfConstants.SttGnuIfunc ? s.Type : ElfConstants.SttFunc,
                Value = s.Section is null && s.SpecialIndex == ElfConstants.ShnUndef ? s.Value : s.Value | 1,
            };
        }

        return true;
    }

    private static bool EmitGlobalEntry(LinkSymbol h, List<OutputSymbol> symbols, byte? forceBinding)
    {
        switch (h.State)
        {
            case LinkSymbolState.New:
                return false;
            case LinkSymbolState.Undefined or LinkSymbolState.UndefinedWeak:
                if (h.DefinitionDiscarded && !h.UsedByRelocation && !h.GroupSignature)
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

        // elf_link_output_extsym: weak, else STB_GNU_UNIQUE for a unique definition in a regular object, else global.
        var binding = forceBinding ?? (h.State == LinkSymbolState.DefinedWeak ? ElfConstants.StbWeak
            : h.GnuUnique && !h.ScriptDefined ? ElfConstants.StbGnuUnique : ElfConstants.StbGlobal);
        if (h.ScriptDefined)
        {
            symbols.Add(h.ScriptSection is { } os
                ? new OutputSymbol(h.Name, h.Value, h.Size, binding, h.Type, h.Other, os, 0)
                : new OutputSymbol(h.Name, h.Value, h.Size, binding, h.Type, h.Other, null, ElfConstants.ShnAbs));
            return true;
        }

        if (h.Section is { } isec)
        {
            if (isec.Output is { Removed: true })
            {
                throw RemovedSectionUse(isec, $"global symbol {h.Name}");
            }

            if (isec.Output is null)
            {
                // Defined in a discarded section (ld's strip_discarded), unless a kept group's signature (the script
                // discarded its member): elf_link_input_bfd's indx -2 writes it against bfd_abs_section.
                if (!h.GroupSignature)
                {
                    return false;
                }

                symbols.Add(new OutputSymbol(h.Name, h.Value, h.Size, binding, h.Type, h.Other, null, ElfConstants.ShnAbs));
                return true;
            }

            symbols.Add(new OutputSymbol(h.Name, isec.SymbolValue(h.Value) + isec.OutputOffset, h.Size, binding, h.Type, h.Other, isec.Output, 0));
            return true;
        }

        symbols.Add(new OutputSymbol(h.Name, h.Value, h.Size, binding, h.Type, h.Other, null, ElfConstants.ShnAbs));
        return true;
    }
}
