using DynDbg.ElfSim.Elf;

namespace DynDbg.ElfSim.Linking;

/// <summary>
/// <c>ld -r -T SCRIPT</c> as GNU ld 2.40 does it, step for step (ld/ldlang.c <c>lang_process</c>): open the inputs
/// and keep one <c>.gnu.linkonce.*</c> section per name, resolve global symbols, match input sections to the
/// script's descriptions first-match in script order, place orphans as ld/ldelf.c <c>ldelf_place_orphan</c> does,
/// size the sections with the location counter (<c>lang_size_sections</c>: sections without an address follow
/// the previous allocated one, which is why <c>ld -r</c> addresses are not all 0), evaluate assignments, then
/// rebuild the symbol table and rebase relocations onto the output sections (bfd/elflink.c).
/// </summary>
internal sealed partial class LinkEngine
{
    private readonly LinkContext _ctx;
    private readonly ExpressionEvaluator _eval;
    private readonly OrphanPlacer _orphans;

    private LinkEngine(LinkerScript script, LinkOptions options)
    {
        _ctx = new LinkContext(script, options);
        _eval = new ExpressionEvaluator(_ctx);
        _orphans = new OrphanPlacer(_ctx, (os, s) => AddSection(os.Children, s, null, os));
        foreach (var s in script.Statements)
        {
            if (Convert(s) is { } node)
            {
                _ctx.Statements.Add(node);
            }
        }
    }

    /// <summary>Links <paramref name="inputs"/> (named as given) under <paramref name="script"/>. The files stay open
    /// for the caller, who writes the result while they are.</summary>
    public static LinkResult Link(LinkerScript script, IReadOnlyList<(string Name, ElfFile File)> inputs, LinkOptions options)
    {
        if (inputs.Count == 0)
        {
            throw new ElfFormatException(ErrorIds.Usage, "link", "", null, "no input files");
        }

        var engine = new LinkEngine(script, options);
        return engine.Run(inputs);
    }

    private LinkResult Run(IReadOnlyList<(string Name, ElfFile File)> inputs)
    {
        for (var i = 0; i < inputs.Count; i++)
        {
            OpenInput(i, inputs[i].Name, inputs[i].File);
        }

        // ld/ldlang.c open_input_bfds: a script description naming a file exactly loads that file when the
        // statement is reached, before the command line's inputs; linkonce sections and symbols go in load order.
        // Assignments are folded there too (first phase): a PROVIDE whose symbol the files loaded so far leave
        // undefined becomes "provided" for good, and then defines the symbol even over a later weak definition.
        foreach (var n in Walk(_ctx.Statements))
        {
            if (n is AssignmentNode { Source: { Provide: true } a })
            {
                _eval.FoldFirstPhase(a);
                continue;
            }

            if (n is not WildNode w)
            {
                continue;
            }

            var name = w.Source.File.Pattern;
            if (name == "*" || Glob.HasWildcards(name))
            {
                continue;
            }

            var file = _ctx.Inputs.FirstOrDefault(f => f.Path == name)
                ?? throw ScriptErrors.Unsupported(w.Source.Location, $"input file {name} named in the script",
                    "it is not among the inputs (GNU ld would open it as an extra input)");
            Load(file);
        }

        foreach (var f in _ctx.Inputs)
        {
            Load(f);
            _ctx.Statements.Add(new InputFileNode { File = f });
        }

        _ctx.Statements.Add(new OutputFileNode());

        DoAssignments(LayoutPhase.Mark);
        ResolveWilds();
        GcSections();
        MapInputToOutputSections(_ctx.Statements, null);
        _orphans.PlaceOrphans();
        MarkExecutableStack();
        TlsSetup();
        SizeSections();
        if (FixupLinkOrder())
        {
            SizeSections();
        }

        DoAssignments(LayoutPhase.Final);
        _eval.FinalizeScriptSymbols();
        CheckAsserts();
        return BuildResult();
    }

    private LayoutNode? Convert(ScriptStatement s) => s switch
    {
        ScriptStatement.OutputSection os => ConvertOutputSection(os),
        ScriptStatement.InputSections w => new WildNode { Source = w, Location = w.Location },
        ScriptStatement.Assignment a => new AssignmentNode { Source = a, Location = a.Location },
        ScriptStatement.Data d => new DataNode { Source = d, Location = d.Location },
        ScriptStatement.Assert a => new AssertNode { Source = a, Location = a.Location },
        _ => null,
    };

    private OutputStatement ConvertOutputSection(ScriptStatement.OutputSection s)
    {
        var os = new OutputStatement
        {
            Name = s.Name,
            Address = s.Address,
            Align = s.Align,
            NoLoad = s.NoLoad,
            Source = s,
            Location = s.Location,
            HoldFlags = s.NoLoad ? SectionFlags.NeverLoad : SectionFlags.None,
        };
        foreach (var c in s.Children)
        {
            if (Convert(c) is { } node)
            {
                os.Children.Add(node);
            }
        }

        _ctx.OsList.Add(os);
        _ctx.OsCreation.Add(os);
        return os;
    }

    /// <summary>
    /// ld/ldlang.c <c>lang_gc_sections</c> without --gc-sections: sections a KEEP description matches are marked
    /// (SEC_KEEP, which also keeps them off the map's discarded list), and in a relocatable link SHF_EXCLUDE is
    /// ignored (the flag itself travels with the OS/processor bits).
    /// </summary>
    private void GcSections()
    {
        foreach (var w in Walk(_ctx.Statements).OfType<WildNode>().Where(w => w.Source.Keep))
        {
            foreach (var (s, _) in w.Matching)
            {
                s.Flags |= SectionFlags.Keep;
            }
        }

        foreach (var s in _ctx.LoadOrder.SelectMany(f => f.Sections))
        {
            if ((s.Flags & SectionFlags.Debugging) == 0 || s.Name != ".stabstr")
            {
                s.Flags &= ~SectionFlags.Exclude;
            }
        }
    }

    /// <summary>
    /// bfd/elflink.c <c>bfd_elf_size_dynamic_sections</c> in a relocatable link: when an input asks for an executable
    /// stack (its .note.GNU-stack is SHF_EXECINSTR, or, where the backend defaults to it, it has none), the output
    /// section holding the last .note.GNU-stack seen becomes code.
    /// </summary>
    private void MarkExecutableStack()
    {
        var defaultExecStack = _ctx.Identity!.Machine is not (ElfMachine.AArch64 or ElfMachine.RiscV or ElfMachine.Ppc64);
        InputSection? note = null;
        var exec = false;
        foreach (var f in _ctx.LoadOrder)
        {
            if (f.Sections.Count == 0)
            {
                continue;
            }

            var s = f.Sections.FirstOrDefault(x => x.Name == ".note.GNU-stack");
            if (s is not null)
            {
                note = s;
                if ((s.Flags & SectionFlags.Code) != 0)
                {
                    exec = true;
                    break;
                }
            }
            else if (defaultExecStack)
            {
                exec = true;
            }
        }

        if (note is { Output: { } o } && exec)
        {
            o.Flags |= SectionFlags.Code;
        }
    }

    /// <summary>bfd/elflink.c <c>_bfd_elf_tls_setup</c> (from ldelf_before_allocation): the first thread-local output
    /// section takes the largest alignment of the run of thread-local sections it starts, so the TLS block is aligned.</summary>
    private void TlsSetup()
    {
        var first = _ctx.Sections.FindIndex(s => (s.Flags & SectionFlags.ThreadLocal) != 0);
        if (first < 0)
        {
            return;
        }

        var align = 0;
        for (var i = first; i < _ctx.Sections.Count && (_ctx.Sections[i].Flags & SectionFlags.ThreadLocal) != 0; i++)
        {
            align = Math.Max(align, _ctx.Sections[i].AlignmentPower);
        }

        _ctx.Sections[first].AlignmentPower = align;
    }

    // ------------------------------------------------------------------ inputs

    private void OpenInput(int index, string name, ElfFile elf)
    {
        var h = elf.Header;
        if (h.Type != ElfConstants.EtRel)
        {
            throw new ElfFormatException(ErrorIds.LinkInputType, name, "ELF header", 16,
                $"e_type is {h.TypeName}: ld -r links relocatable objects (ET_REL) only");
        }

        var id = new ElfIdentity(h.Is64, h.IsBigEndian, h.Machine, ElfConstants.EtRel, h.Flags, h.OsAbi);
        if (_ctx.Identity is null)
        {
            _ctx.Identity = id;
        }
        else if (id.Is64 != _ctx.Identity.Is64 || id.IsBigEndian != _ctx.Identity.IsBigEndian || id.Machine != _ctx.Identity.Machine)
        {
            throw new ElfFormatException(ErrorIds.LinkIncompatibleInput, name, "ELF header", 4,
                $"{Describe(id)} input is incompatible with {Describe(_ctx.Identity)} output (the first input, {_ctx.Inputs[0].Path})");
        }

        var symtab = elf.SymbolTable;
        var byIndex = new InputSection?[elf.Sections.Count];
        var file = new InputObject(index, name, elf);
        foreach (var s in elf.Sections)
        {
            if (s.Index == 0 || !IsBfdSection(elf, s, symtab))
            {
                continue;
            }

            if (s.Type == ElfConstants.ShtGroup || (s.Flags & ElfConstants.ShfGroup) != 0)
            {
                throw new ElfFormatException(ErrorIds.LinkUnsupportedInput, name, s.Describe(), s.HeaderOffset,
                    "section groups (COMDAT) are not emulated; ld -r keeps them as separate output sections");
            }

            if ((s.Flags & 0x800) != 0)
            {
                throw new ElfFormatException(ErrorIds.LinkUnsupportedInput, name, s.Describe(), s.HeaderOffset,
                    "compressed sections (SHF_COMPRESSED) are not emulated");
            }

            if (s.IsRelocation)
            {
                // ld.bfd warns "Info field (N) should index a relocatable section" and copies it as data; the
                // writer makes every REL/RELA table itself, so that copy is not emulated.
                throw new ElfFormatException(ErrorIds.LinkUnsupportedInput, name, s.Describe(), s.HeaderOffset,
                    $"relocation section with sh_info {s.Info} / sh_link {s.Link} patches no section of this file; ld copies it as data, which is not emulated");
            }

            if (s.Name == ".note.gnu.property")
            {
                throw new ElfFormatException(ErrorIds.LinkUnsupportedInput, name, s.Describe(), s.HeaderOffset,
                    "GNU property notes are merged by ld's backend; that merge is not emulated");
            }

            byIndex[s.Index] = new InputSection(file, s, FlagsOf(s));
        }

        // Relocation tables attach to the section they patch (bfd: they are not sections of their own).
        foreach (var s in elf.Sections)
        {
            if (s.IsRelocation && IsAttachedRelocation(elf, s, symtab) && byIndex[s.Info] is { } target)
            {
                target.RelocationSections.Add(s);
                if (s.Size > 0)
                {
                    target.Flags |= SectionFlags.Reloc;
                }
            }
        }

        file.SetSections(byIndex);
        foreach (var sec in file.Sections)
        {
            if ((sec.Elf.Flags & ElfConstants.ShfLinkOrder) != 0)
            {
                sec.LinkedTo = file.SectionAt(sec.Elf.Link);
            }
        }

        _ctx.Inputs.Add(file);
    }

    private void Load(InputObject file)
    {
        if (_ctx.LoadOrder.Contains(file))
        {
            return;
        }

        _ctx.LoadOrder.Add(file);
        LinkOnce(file);
        AddSymbols(file);
    }

    private static string Describe(ElfIdentity id) =>
        $"ELF{(id.Is64 ? 64 : 32)} {(id.IsBigEndian ? "big" : "little")}-endian {ElfMachineNames.Describe(id.Machine, id.Is64)}";

    /// <summary>Whether BFD makes a section of this header (bfd/elf.c bfd_section_from_shdr): not the symbol table,
    /// its string table, the section-name table, SHT_SYMTAB_SHNDX or relocation tables attached to a section.</summary>
    private static bool IsBfdSection(ElfFile elf, ElfSection s, ElfSymbolTable? symtab)
    {
        switch (s.Type)
        {
            case ElfConstants.ShtNull:
            case ElfConstants.ShtSymtab:
            case ElfConstants.ShtDynsym:
            case ElfConstants.ShtSymtabShndx:
                return false;
            case ElfConstants.ShtStrtab:
                var shstrndx = elf.Header.ShStrNdx == ElfConstants.ShnXindex ? (int)elf.Sections[0].Link : elf.Header.ShStrNdx;
                return s.Index != shstrndx && (symtab is null || s.Index != symtab.StringSection.Index);
            case ElfConstants.ShtRel:
            case ElfConstants.ShtRela:
                return !IsAttachedRelocation(elf, s, symtab);
            default:
                return true;
        }
    }

    private static bool IsAttachedRelocation(ElfFile elf, ElfSection s, ElfSymbolTable? symtab) =>
        symtab is not null && s.Link == (uint)symtab.Section.Index && s.Info != 0 && s.Info < (uint)elf.Sections.Count &&
        elf.Sections[(int)s.Info].Type is not (ElfConstants.ShtRel or ElfConstants.ShtRela or ElfConstants.ShtSymtab or ElfConstants.ShtStrtab);

    /// <summary>bfd/elf.c <c>_bfd_elf_make_section_from_shdr</c>: BFD flags from sh_type, sh_flags and the name.</summary>
    private static SectionFlags FlagsOf(ElfSection s)
    {
        var f = SectionFlags.None;
        if (s.Type != ElfConstants.ShtNobits)
        {
            f |= SectionFlags.HasContents;
        }

        if ((s.Flags & ElfConstants.ShfAlloc) != 0)
        {
            f |= SectionFlags.Alloc;
            if (s.Type != ElfConstants.ShtNobits)
            {
                f |= SectionFlags.Load;
            }
        }

        if ((s.Flags & ElfConstants.ShfWrite) == 0)
        {
            f |= SectionFlags.ReadOnly;
        }

        if ((s.Flags & ElfConstants.ShfExecInstr) != 0)
        {
            f |= SectionFlags.Code;
        }
        else if ((f & SectionFlags.Load) != 0)
        {
            f |= SectionFlags.Data;
        }

        if ((s.Flags & ElfConstants.ShfMerge) != 0)
        {
            f |= SectionFlags.Merge;
        }

        if ((s.Flags & ElfConstants.ShfStrings) != 0)
        {
            f |= SectionFlags.Strings;
        }

        if ((s.Flags & ElfConstants.ShfTls) != 0)
        {
            f |= SectionFlags.ThreadLocal;
        }

        if ((s.Flags & ElfConstants.ShfExclude) != 0)
        {
            f |= SectionFlags.Exclude;
        }

        if ((f & SectionFlags.Alloc) == 0 && s.Name.StartsWith('.') &&
            (s.Name.StartsWith(".debug", StringComparison.Ordinal) || s.Name.StartsWith(".gnu.debuglto_.debug_", StringComparison.Ordinal) ||
             s.Name.StartsWith(".gnu.linkonce.wi.", StringComparison.Ordinal) || s.Name.StartsWith(".zdebug", StringComparison.Ordinal) ||
             s.Name.StartsWith(".line", StringComparison.Ordinal) || s.Name.StartsWith(".stab", StringComparison.Ordinal) ||
             s.Name == ".gdb_index"))
        {
            f |= SectionFlags.Debugging;
        }

        if (s.Name.StartsWith(".gnu.linkonce", StringComparison.Ordinal))
        {
            f |= SectionFlags.LinkOnce;
        }

        return f;
    }

    /// <summary>
    /// bfd/elflink.c <c>_bfd_elf_section_already_linked</c> for non-group sections: a <c>.gnu.linkonce.*</c>
    /// section whose name was already linked is discarded (SEC_LINK_DUPLICATES_DISCARD), before the file's symbols
    /// are read, so its symbols become references.
    /// </summary>
    private void LinkOnce(InputObject file)
    {
        if (_ctx.Options.LinkOnce == LinkOnceRule.Lld)
        {
            return;
        }

        foreach (var s in file.Sections)
        {
            if (!s.IsLinkOnce)
            {
                continue;
            }

            if (_linkOnceKept.TryGetValue(s.Name, out var kept))
            {
                s.Discarded = DiscardReason.LinkOnceDuplicate;
                s.KeptInstead = kept;
                s.Assigned = true;
            }
            else
            {
                _linkOnceKept[s.Name] = s;
            }
        }
    }

    private readonly Dictionary<string, InputSection> _linkOnceKept = new(StringComparer.Ordinal);

    // ------------------------------------------------------------------ global symbols

    /// <summary>
    /// Adds the file's global symbols to the hash table (bfd/elflink.c <c>elf_link_add_object_symbols</c> with the
    /// generic ELF merge rules): a strong definition beats a weak one and a common; two strong definitions are an
    /// error; a definition in a discarded linkonce section is a reference.
    /// </summary>
    private void AddSymbols(InputObject file)
    {
        var symtab = file.Elf.SymbolTable;
        if (symtab is null)
        {
            return;
        }

        var first = (int)symtab.Section.Info;
        for (var i = first; i < symtab.Count; i++) // sh_info 0 puts the null symbol (local) among the globals, as bfd sees it
        {
            var sym = symtab[i];
            if (sym.Binding == ElfConstants.StbLocal)
            {
                // bfd's elf_link_add_object_symbols: "error adding symbols: bad value"; relocations would take the
                // local for a global (found by the mutation harness: sh_info 0).
                throw new ElfFormatException(ErrorIds.SymbolTableInfo, file.Path, symtab.Section.Describe(), symtab.Section.HeaderOffset,
                    $".symtab local symbol at index {i} (>= sh_info of {first})");
            }

            var name = symtab.GetName(i);
            if (name.Length == 0)
            {
                continue;
            }

            var h = _ctx.Symbols.GetOrAdd(name, () => new LinkSymbol(name));
            var weak = sym.Binding == ElfConstants.StbWeak;
            var vis = (byte)(sym.Other & 3);
            if (vis != 0 && ((h.Other & 3) == 0 || vis < (h.Other & 3)))
            {
                h.Other = (byte)((h.Other & ~3) | vis);
            }

            InputSection? section = null;
            var undefined = sym.IsUndefined;
            var absolute = sym.IsAbsolute;
            if (sym.IsInSection)
            {
                section = file.SectionAt(sym.SectionIndex);
                if (section is null)
                {
                    absolute = true;
                }
                else if (section.Discarded != DiscardReason.None)
                {
                    undefined = true;
                    section = null;
                    h.DefinitionDiscarded = true;
                }
            }
            else if (!undefined && !absolute && !sym.IsCommon)
            {
                // Reserved indices other than ABS and COMMON: ld treats the symbol as undefined.
                undefined = true;
            }

            var oldState = h.State;
            var oldWeak = oldState is LinkSymbolState.DefinedWeak or LinkSymbolState.UndefinedWeak;
            if (undefined)
            {
                if (h.State == LinkSymbolState.New)
                {
                    h.State = weak ? LinkSymbolState.UndefinedWeak : LinkSymbolState.Undefined;
                    h.File = file;
                }
                else if (h.State == LinkSymbolState.UndefinedWeak && !weak)
                {
                    h.State = LinkSymbolState.Undefined;
                }

                MergeSizeAndType(h, sym, definition: false, weak, oldWeak, commonSize: null);
                continue;
            }

            if (sym.IsCommon)
            {
                // bfd/linker.c: a common takes over from a reference or a weak definition (and the file gets a COMMON
                // section); a bigger common moves it to the new file; a strong definition keeps it.
                var commonSize = h.Size;
                switch (h.State)
                {
                    case LinkSymbolState.New or LinkSymbolState.Undefined or LinkSymbolState.UndefinedWeak or LinkSymbolState.DefinedWeak:
                        h.State = LinkSymbolState.Common;
                        commonSize = sym.Size;
                        h.CommonAlignment = sym.Value;
                        h.Section = null;
                        h.File = file;
                        file.AddCommonSection();
                        break;
                    case LinkSymbolState.Common:
                        if (sym.Size > h.Size)
                        {
                            commonSize = sym.Size;
                            file.AddCommonSection();
                        }

                        h.CommonAlignment = Math.Max(h.CommonAlignment, sym.Value);
                        break;
                }

                MergeSizeAndType(h, sym, definition: false, weak, oldWeak, commonSize);
                continue;
            }

            if (weak && h.State is LinkSymbolState.Defined or LinkSymbolState.DefinedWeak or LinkSymbolState.Common)
            {
                // _bfd_elf_merge_symbol skips a weak definition once the name is defined or common: nothing of it
                // (size, type) is kept.
                continue;
            }

            if (h.State == LinkSymbolState.Defined)
            {
                var where = h.Section is { } s0 ? $"{h.File?.Path}:({s0.Name}+0x{h.Value:x})" : $"{h.File?.Path}";
                throw new ElfFormatException(ErrorIds.LinkMultipleDefinition, file.Path, $"symbol [{i}] '{name}'", null,
                    $"multiple definition of `{name}'; {where}: first defined here");
            }

            h.State = weak ? LinkSymbolState.DefinedWeak : LinkSymbolState.Defined;
            h.Section = section;
            h.IsAbsolute = section is null;
            h.ScriptSection = null;
            h.ScriptDefined = false;
            h.Value = sym.Value;
            h.File = file;
            MergeSizeAndType(h, sym, definition: true, weak, oldWeak, commonSize: null);
        }
    }

    /// <summary>
    /// bfd/elflink.c <c>elf_link_add_object_symbols</c> after the merge, for every symbol not skipped: a non-zero size
    /// is taken from a definition (or a common, when none is known yet), a common's size wins, and a type other than
    /// NOTYPE is taken from a strong definition, or whenever the entry has none yet (even from a reference).
    /// </summary>
    private static void MergeSizeAndType(LinkSymbol h, in ElfSymbol sym, bool definition, bool weak, bool oldWeak, ulong? commonSize)
    {
        commonSize ??= h.Size;
        if (sym.Size != 0 && (definition || h.Size == 0))
        {
            h.Size = sym.Size;
        }

        if (h.State == LinkSymbolState.Common)
        {
            h.Size = commonSize.Value;
        }

        if (sym.Type != ElfConstants.SttNotype &&
            ((definition && !weak) || (oldWeak && h.State == LinkSymbolState.Common) || h.Type == ElfConstants.SttNotype))
        {
            h.Type = sym.Type;
        }
    }
}
