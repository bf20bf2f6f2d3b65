using DynDbg.ElfSim.Diagnostics;
using DynDbg.ElfSim.Elf;

namespace DynDbg.ElfSim.Linking;

/// <summary>
/// <c>ld -r -T SCRIPT</c> as GNU ld 2.40 does it, step for step (ld/ldlang.c <c>lang_process</c>): open the inputs
/// and keep one <c>.gnu.linkonce.*</c> section per name, resolve global symbols, match input sections to the
/// script's descriptions first-match in script order, place orphans as ld/ldelf.c <c>ldelf_place_orphan</c> does,
/// size the sections with the location counter (<c>lang_size_sections</c>: sections without an address follow
/// the previous allocated one, which is why <c>ld -r</c> addresses are not all 0), evaluate assignments, then
/// rebuild the symbol table and rebase relocations onto the output sections (bfd/elflink.c).
/// The engine runs those steps in order and keeps the statement walks (resolve_wilds, lang_add_section, the layout
/// passes, the output symbol table); the parts with state of their own are classes sharing one
/// <see cref="LinkContext"/>: <see cref="SymbolResolver"/>, <see cref="OrphanPlacer"/>,
/// <see cref="ExpressionEvaluator"/> (with its per-pass <see cref="AddressState"/>) and <see cref="RelocationCollector"/>.
/// </summary>
internal sealed partial class LinkEngine
{
    private readonly LinkContext _ctx;
    private readonly ExpressionEvaluator _eval;
    private readonly OrphanPlacer _orphans;
    private readonly SymbolResolver _resolver;

    /// <summary>MIPS: the merged .MIPS.abiflags record (<see cref="MipsAbiflags.Merge"/>), null when no input has one.</summary>
    private byte[]? _mipsAbiflags;

    /// <summary>MIPS: why the merged record is not known (an input without one), thrown only if an output needs it.</summary>
    private LinkException? _mipsAbiflagsUnknown;

    private LinkEngine(LinkerScript script, LinkOptions options)
    {
        _ctx = new LinkContext(script, options);
        _eval = new ExpressionEvaluator(_ctx);
        _resolver = new SymbolResolver(_ctx);
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
            throw new UsageException(UsageErrorIds.Usage, "link", "", null, "no input files");
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
            if (n is AssignmentNode { Source: var a })
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
            _resolver.Load(file);
        }

        foreach (var f in _ctx.Inputs)
        {
            _resolver.Load(f);
            _ctx.Statements.Add(new InputFileNode { File = f });
        }

        _ctx.Statements.Add(new OutputFileNode());
        InputPageBudget.Release(_ctx.Inputs); // the symbol tables are decoded (InputPageBudget says why)

        // ld/ldelf.c after_open: the backend's setup_gnu_properties merges .note.gnu.property (-r included).
        _ctx.Properties = GnuPropertyMerger.Setup(_ctx);
        if (_ctx.Identity!.Machine == ElfMachine.RiscV)
        {
            // lang_check: the backend's merge_private_bfd_data sets the output's e_flags.
            _ctx.Identity = _ctx.Identity with { Flags = ObjectAttributes.MergeRiscvFlags(_ctx) };
        }

        if (_ctx.Identity!.Machine == ElfMachine.Mips)
        {
            // ld/ldlang.c lang_check: the backend's merge_private_bfd_data for every input.
            (_mipsAbiflags, var eflags, _mipsAbiflagsUnknown) = MipsAbiflags.Merge(_ctx);
            _ctx.Identity = _ctx.Identity with { Flags = eflags };
        }

        DoAssignments(LayoutPhase.Mark);
        ResolveWilds();
        GcSections();
        MapInputToOutputSections(_ctx.Statements, null);
        _orphans.PlaceOrphans();
        if (_ctx.Identity!.Machine == ElfMachine.Mips)
        {
            CheckMipsFixedSizeSections();
        }

        MarkExecutableStack();
        TlsSetup();

        // ldemul_before_allocation: in -r the ELF emulations repair groups the script discarded part of.
        GroupFixup.Apply(_ctx);
        SizeSections();
        InputPageBudget.Release(_ctx.Inputs);

        // ldemul_after_allocation: armelf.em fixes the unwind tables' coverage, the emulations edit .eh_frame, then
        // ldelf_map_segments lays the sections out again when sizes changed and sorts SHF_LINK_ORDER sections.
        var relayout = _ctx.Identity!.Machine == ElfMachine.Arm && ArmLinkBackend.FixExidxCoverage(_ctx);

        // bfd_elf_discard_info: every emulation but riscvelf.em calls it in -r too; .eh_frame entries are re-laid.
        if (_ctx.Identity.Machine != ElfMachine.RiscV)
        {
            relayout |= EhFrameEdit.Apply(_ctx);
        }

        if (relayout)
        {
            SizeSections();
        }

        if (FixupLinkOrder())
        {
            SizeSections();
        }

        DoAssignments(LayoutPhase.Final);
        _eval.FinalizeScriptSymbols();
        CheckAsserts();
        MergeObjectAttributes();
        if (_ctx.Identity.Machine == ElfMachine.Mips)
        {
            WriteMipsFixedSizeSections();
            CheckMipsFixedSizeMapDot();
        }

        // A .group GroupFixup emptied stays in the map (size 0) but is not written: bfd drops it with its symbol.
        foreach (var o in _ctx.Sections.Where(o => o.Group is { } g && ReferenceEquals(o, g.Section.Output) && (g.Section.Flags & SectionFlags.Exclude) != 0))
        {
            o.RemovedBy = "_bfd_elf_fixup_group_sections";
        }

        _ctx.Sections.RemoveAll(o => o.Removed);
        return BuildResult();
    }

    private LayoutNode? Convert(ScriptStatement s) => s switch
    {
        ScriptStatement.OutputSection os => ConvertOutputSection(os),
        ScriptStatement.InputSections w => new WildNode { Source = w, Location = w.Location },
        ScriptStatement.Assignment a => new AssignmentNode { Source = a, Location = a.Location },
        ScriptStatement.Data d => new DataNode { Source = d, Location = d.Location },
        ScriptStatement.Assert a => new AssertNode { Source = a, Location = a.Location },
        ScriptStatement.Entry e => RecordEntry(e),
        _ => null,
    };

    /// <summary>ld/ldlang.c <c>lang_add_entry</c> from a script: the last ENTRY wins (none comes from the command line).</summary>
    private LayoutNode? RecordEntry(ScriptStatement.Entry e)
    {
        _ctx.EntrySymbol = e.Symbol;
        return null;
    }

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
        _ctx.AddOs(os);
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

    /// <summary>
    /// ld/ldlang.c <c>lang_check</c> merges the inputs' build attributes (the backend's merge_private_bfd_data);
    /// bfd/elflink.c <c>bfd_elf_final_link</c> then gives every output section named like the backend's attribute
    /// section, or .gnu.attributes, the merged set's size and drops its inputs (after layout, so the map's input
    /// lines keep their sizes and offsets while the section line shows the merged size). Only the last such section
    /// gets the merged bytes (final_link's <c>attr_section</c>), if it has contents; a script section of that name
    /// before it keeps zeros.
    /// With nothing to write (attr_size 0) each of them is SEC_EXCLUDE: the map shows it at size 0 and the file has
    /// no such section.
    /// </summary>
    private void MergeObjectAttributes()
    {
        var machine = _ctx.Identity!.Machine;
        var name = ObjectAttributes.SectionName(machine);
        var named = _ctx.Sections.Where(o => o.Name == name || o.Name == ".gnu.attributes").ToList();
        if (named.Count == 0)
        {
            // lang_check merges every input's attributes wherever the script puts the sections: ld's merge errors
            // (LNK011) stand; a refusal of what only the written section would show does not.
            if (machine is ElfMachine.Arm or ElfMachine.RiscV)
            {
                try
                {
                    ObjectAttributes.Merge(_ctx);
                }
                catch (LinkException e) when (e.Id != LinkErrorIds.LinkIncompatibleInput)
                {
                }
            }

            return;
        }

        byte[] merged;
        if (name is not null)
        {
            merged = ObjectAttributes.Merge(_ctx) ?? [];
        }
        else if (_ctx.Inputs.Any(f => f.Sections.Any(s => s.Elf.Name == ".gnu.attributes" || s.Elf.Type == ObjectAttributes.ShtGnuAttributes)))
        {
            return; // GNU attributes of a backend whose merge is not emulated: written as the inputs hold them
        }
        else
        {
            merged = []; // no input has any: bfd_elf_obj_attr_size is 0
        }

        foreach (var o in named)
        {
            foreach (var input in o.Inputs)
            {
                // final_link's "hack" so that elf_link_input_bfd skips them; ARM's mapping symbols then skip them too.
                input.Flags &= ~SectionFlags.HasContents;
            }

            o.Size = (ulong)merged.Length;
            o.LinkOrdersDropped = true;
            // bfd_set_section_contents refuses a section without SEC_HAS_CONTENTS, and final_link ignores the
            // failure: such a section (a script's, with no input of contents and no data statement) keeps zeros.
            var written = merged.Length == 0 || (ReferenceEquals(o, named[^1]) && (o.Flags & SectionFlags.HasContents) != 0);
            o.MergedContents = written ? merged : new byte[merged.Length];
            if (merged.Length == 0)
            {
                o.RemovedBy = "bfd_elf_final_link: no build attributes to write, SEC_EXCLUDE";
            }
        }
    }

    /// <summary>A symbol or relocation that needs a section bfd took off the output's list: not emulated.</summary>
    internal static LinkException RemovedSectionUse(InputSection s, string what) =>
        s.Output is { Group: { } g } o && ReferenceEquals(g.Section.Output, o) // an emptied .group
            ? GroupFixup.EmptiedGroupUse(s, what)
            : new LinkException(LinkErrorIds.LinkUnsupportedInput, s.File.Path, s.Elf.Describe(), s.Elf.HeaderOffset,
                $"{what} lies in output section {s.Output?.Name}, which ld excludes ({s.Output?.RemovedBy}); what ld writes for it is not emulated");

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
            throw new LinkException(LinkErrorIds.LinkInputType, name, "ELF header", 16,
                $"e_type is {h.TypeName}: ld -r links relocatable objects (ET_REL) only");
        }

        var id = new ElfIdentity(h.Is64, h.IsBigEndian, h.Machine, ElfConstants.EtRel, h.Flags, h.OsAbi);
        if (_ctx.Identity is null)
        {
            _ctx.Identity = id;
        }
        else if (id.Is64 != _ctx.Identity.Is64 || id.IsBigEndian != _ctx.Identity.IsBigEndian || id.Machine != _ctx.Identity.Machine)
        {
            throw new LinkException(LinkErrorIds.LinkIncompatibleInput, name, "ELF header", 4,
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

            if ((s.Flags & 0x800) != 0)
            {
                throw new LinkException(LinkErrorIds.LinkUnsupportedInput, name, s.Describe(), s.HeaderOffset,
                    "compressed sections (SHF_COMPRESSED) are not emulated");
            }

            if (s.IsRelocation)
            {
                // ld.bfd warns "Info field (N) should index a relocatable section" and copies it as data; the
                // writer makes every REL/RELA table itself, so that copy is not emulated.
                throw new LinkException(LinkErrorIds.LinkUnsupportedInput, name, s.Describe(), s.HeaderOffset,
                    $"relocation section with sh_info {s.Info} / sh_link {s.Link} patches no section of this file; ld copies it as data, which is not emulated");
            }

            byIndex[s.Index] = new InputSection(file, s, FlagsOf(s, h.Machine));
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
        InputGroup.ReadAll(file, symtab);
        file.OrderGroupsAsBfd();
        foreach (var sec in file.Sections)
        {
            if ((sec.Elf.Flags & ElfConstants.ShfLinkOrder) != 0)
            {
                sec.LinkedTo = file.SectionAt(sec.Elf.Link);
            }
        }

        _ctx.Inputs.Add(file);
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

    /// <summary>
    /// elfxx-mips.c <c>_bfd_mips_elf_always_size_sections</c> (from before_allocation) fixes the first output sections
    /// named .MIPS.abiflags and .reginfo at 24 bytes, SEC_FIXED_SIZE | SEC_HAS_CONTENTS: their inputs are laid out as
    /// usual (the map shows them past the end) but the section keeps that size. .mdebug and .gptab.* are refused.
    /// </summary>
    private void CheckMipsFixedSizeSections()
    {
        foreach (var o in _ctx.Sections)
        {
            if ((o.Name == ".mdebug" || o.Name.StartsWith(".gptab.", StringComparison.Ordinal)) &&
                o.Statement.InputSectionsInOrder().FirstOrDefault(i => i.Output == o) is { } held)
            {
                // _bfd_mips_elf_final_link rebuilds .mdebug from the inputs' ECOFF debugging information (ld 2.40 fails
                // with "bad value" on anything else) and builds .gptab.sdata/.sbss from the GP-relative data, renaming
                // a script's .gptab.sdata to .gptab.data: neither is emulated, and MIPS kernels have neither.
                throw new LinkException(LinkErrorIds.LinkUnsupportedInput, held.File.Path, held.Elf.Describe(), null,
                    $"output section {o.Name}: _bfd_mips_elf_final_link builds it from the inputs' MIPS debugging or GP-relative data; not emulated");
            }
        }

        foreach (var name in (ReadOnlySpan<string>)[".reginfo", ".MIPS.abiflags"])
        {
            // bfd_get_section_by_name: the first section made under the name (a script's before an orphan's).
            if (_ctx.Sections.Where(o => o.Name == name).MinBy(o => o.Created) is { } o)
            {
                o.FixedSize = MipsAbiflags.RecordSize;
                o.Flags |= SectionFlags.HasContents;
            }
        }
    }

    /// <summary>
    /// elfxx-mips.c <c>_bfd_mips_elf_final_link</c>: takes SEC_HAS_CONTENTS off every input of the fixed-size
    /// sections (so elf_link_input_bfd copies neither their bytes nor their relocations; data statements are skipped
    /// too), drops the link orders, and writes the merged .MIPS.abiflags record, or for .reginfo the inputs' register
    /// masks or-ed together (each input's first 24 bytes read as an Elf32_External_RegInfo; the GP value is stored
    /// later, by <c>_bfd_mips_elf_section_processing</c>).
    /// </summary>
    private void WriteMipsFixedSizeSections()
    {
        foreach (var name in (ReadOnlySpan<string>)[".MIPS.abiflags", ".reginfo"])
        {
            // Every output section of the name loses its link orders; the record goes to the last in the list
            // (final_link's abiflags_sec/reginfo_sec), the others keep zeros.
            var named = _ctx.Sections.Where(o => o.Name == name).ToList();
            foreach (var o in named)
            {
                var last = ReferenceEquals(o, named[^1]);
                byte[]? record = null;
                if (last && name == ".MIPS.abiflags")
                {
                    record = _mipsAbiflags ?? throw _mipsAbiflagsUnknown ?? new LinkException(LinkErrorIds.LinkUnsupportedInput, _ctx.Script.Name, $"output section {o.Name}", null,
                        $"output section {o.Name}: no input has a .MIPS.abiflags record, so ld infers one from the output's e_flags (infer_mips_abiflags); not emulated");
                    o.MergedNote = $"{o.Name} is fixed at 24 bytes and holds the merged ABI flags (_bfd_mips_elf_always_size_sections, _bfd_mips_elf_final_link), not this input";
                }
                else if (last)
                {
                    record = new byte[MipsAbiflags.RecordSize];
                    foreach (var i in o.Inputs.Where(i => ReferenceEquals(i.Output, o)))
                    {
                        if (i.Elf.Type == ElfConstants.ShtNobits || (i.Flags & (SectionFlags.Exclude | SectionFlags.HasContents)) != SectionFlags.HasContents)
                        {
                            continue;
                        }

                        var c = i.File.Elf.GetContents(i.Elf);
                        for (var k = 0; k < Math.Min(c.Length, record.Length); k++)
                        {
                            record[k] |= c[k];
                        }
                    }

                    record.AsSpan(20).Clear(); // ri_gp_value: _bfd_mips_elf_section_processing stores the output's
                    o.MergedNote = $"{o.Name} is fixed at 24 bytes and holds the inputs' register masks or-ed together (_bfd_mips_elf_final_link), not this input";
                }
                else
                {
                    o.MergedNote = $"{o.Name} is not the last output section of that name: _bfd_mips_elf_final_link drops its inputs and writes nothing there (zeros)";
                }

                if (record is not null && o.Size < (ulong)record.Length)
                {
                    // bfd_set_section_contents fails past the section's end, and so does the link.
                    throw new LinkException(LinkErrorIds.LinkUnsupportedInput, _ctx.Script.Name, $"output section {o.Name}", null,
                        $"output section {o.Name} is 0x{o.Size:x} bytes, too small for the 24-byte record _bfd_mips_elf_final_link writes there (ld fails); not emulated");
                }

                foreach (var input in o.Inputs)
                {
                    input.Flags &= ~SectionFlags.HasContents;
                }

                o.LinkOrdersDropped = true;
                var contents = new byte[o.Size];
                record?.CopyTo(contents, 0);
                o.MergedContents = contents;
            }
        }
    }

    /// <summary>
    /// ld/ldlang.c <c>print_assignment</c> folds a dot assignment again with print_dot, which after an output section
    /// is where its last input ended, not its end: after a fixed-size section whose inputs end elsewhere than its 24
    /// bytes, the map would show another value for a following top-level <c>. = ...</c>. Not emulated.
    /// </summary>
    private void CheckMipsFixedSizeMapDot()
    {
        var list = _ctx.Statements;
        for (var i = 0; i < list.Count; i++)
        {
            if (list[i] is not OutputStatement { Section: { FixedSize: not null } o } os || o.Removed)
            {
                continue;
            }

            var end = o.Address;
            foreach (var n in os.Children.SelectMany(c => c is WildNode w ? w.Children : [c]))
            {
                end = n switch
                {
                    InputSectionNode { Section: var s } when s.Output == o => Math.Max(end, o.Address + s.OutputOffset + s.Size),
                    PaddingNode p => Math.Max(end, o.Address + p.OutputOffset + p.Size),
                    DataNode d => Math.Max(end, o.Address + d.OutputOffset + (ulong)d.Source.Size),
                    _ => end,
                };
            }

            for (var j = i + 1; end != o.Address + o.Size && j < list.Count && list[j] is not OutputStatement; j++)
            {
                if (list[j] is AssignmentNode { Source.IsDot: true } a)
                {
                    throw new LinkException(LinkErrorIds.LinkUnsupportedInput, _ctx.Script.Name, $"output section {o.Name}", null,
                        $"the assignment to . after output section {o.Name}, which ld fixes at 24 bytes while its inputs end at 0x{end:x}: " +
                        "ld's map prints it folded with print_dot at the inputs' end (print_assignment); not emulated");
                }
            }
        }
    }

    /// <summary>bfd/elf.c <c>_bfd_elf_make_section_from_shdr</c>: BFD flags from sh_type, sh_flags and the name.</summary>
    private static SectionFlags FlagsOf(ElfSection s, ElfMachine machine)
    {
        var f = SectionFlags.None;
        if (machine == ElfMachine.Mips && s.Type == MipsSectionNames.ShtMipsAbiflags && s.Name == ".MIPS.abiflags")
        {
            // bfd/elfxx-mips.c _bfd_mips_elf_section_from_shdr: SEC_LINK_ONCE | SEC_LINK_DUPLICATES_SAME_SIZE, so
            // only the first input's is kept (the others are listed as discarded); the merged flags are written into it.
            f |= SectionFlags.LinkOnce;
        }

        if (s.Type != ElfConstants.ShtNobits)
        {
            f |= SectionFlags.HasContents;
        }

        if (s.Type == ElfConstants.ShtGroup)
        {
            f |= SectionFlags.Group;
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
}
