using DynDbg.ElfSim.Arch;
using DynDbg.ElfSim.Elf;

namespace DynDbg.ElfSim.Linking;

/// <summary>
/// Symbol resolution as the files are loaded (lld's <c>SymbolTable</c>, with its comdat-group table): each input's
/// <c>.gnu.linkonce.*</c> sections are kept or discarded by name (bfd/elflink.c
/// <c>_bfd_elf_section_already_linked</c>), then its global symbols are merged into the link's hash table
/// (<c>elf_link_add_object_symbols</c>, <c>_bfd_elf_merge_symbol</c>, bfd/linker.c for commons).
/// </summary>
internal sealed class SymbolResolver(LinkContext ctx)
{
    /// <summary>The linkonce section kept for each name (the already-linked table).</summary>
    private readonly Dictionary<string, InputSection> _linkOnceKept = new(StringComparer.Ordinal);

    /// <summary>ld/ldlang.c <c>load_symbols</c> for a relocatable input, once per file: the file joins the load order,
    /// its linkonce sections are checked against those already linked, and its symbols are added.</summary>
    public void Load(InputObject file)
    {
        if (ctx.LoadOrder.Contains(file))
        {
            return;
        }

        ctx.LoadOrder.Add(file);
        LinkOnce(file);
        AddSymbols(file);
    }

    /// <summary>The first group of each COMDAT signature (the already-linked table's group entries).</summary>
    private readonly Dictionary<string, InputGroup> _groupKept = new(StringComparer.Ordinal);

    /// <summary>Linkonce sections by ld's key, the name past <c>.gnu.linkonce.&lt;type&gt;.</c>, for the match
    /// against single-member groups of that signature.</summary>
    private readonly Dictionary<string, List<InputSection>> _linkOnceByKey = new(StringComparer.Ordinal);

    /// <summary>
    /// bfd/elflink.c <c>_bfd_elf_section_already_linked</c>, section by section in header order, before the file's
    /// symbols are read (so symbols of discarded sections become references): a <c>.gnu.linkonce.*</c> section whose
    /// name was already linked is discarded (SEC_LINK_DUPLICATES_DISCARD); so is a COMDAT group whose signature was,
    /// with all its members; and a single-member group and a linkonce section of the same key discard each other
    /// when they define the same symbols. Members are never matched alone. lld's rule keeps every linkonce copy but
    /// discards duplicate groups as ld does.
    /// </summary>
    private void LinkOnce(InputObject file)
    {
        foreach (var s in file.Sections)
        {
            if (s.Group is { } g && ReferenceEquals(g.Section, s))
            {
                if (g.Comdat)
                {
                    ComdatGroup(g);
                }

                continue;
            }

            if (!s.IsLinkOnce || s.Group is not null || ctx.Options.LinkOnce == LinkOnceRule.Lld)
            {
                continue;
            }

            if (_linkOnceKept.TryGetValue(s.Name, out var kept))
            {
                Discard(s, DiscardReason.LinkOnceDuplicate, kept);
                continue;
            }

            var key = LinkOnceKey(s.Name);
            if (_groupKept.TryGetValue(key, out var single) && single.Members is [var only] && only.Discarded == DiscardReason.None &&
                InputGroup.SymbolsMatch(only, s))
            {
                Discard(s, DiscardReason.LinkOnceDuplicate, only);
            }

            _linkOnceKept.TryAdd(s.Name, s);
            if (!_linkOnceByKey.TryGetValue(key, out var list))
            {
                _linkOnceByKey[key] = list = [];
            }

            list.Add(s);
        }
    }

    private void ComdatGroup(InputGroup g)
    {
        if (_groupKept.TryGetValue(g.Signature, out var kept))
        {
            g.KeptGroup = kept;
            Discard(g.Section, DiscardReason.GroupDuplicate, kept.Section);
            foreach (var m in g.Members)
            {
                Discard(m, DiscardReason.GroupDuplicate, kept.KeptMemberFor(m));
            }

            return;
        }

        // The latest linkonce section of the key is tried first (bfd prepends to the table's list).
        if (g.Members is [var first] && _linkOnceByKey.TryGetValue(g.Signature, out var linkOnce) &&
            linkOnce.LastOrDefault(l => l.Discarded == DiscardReason.None && InputGroup.SymbolsMatch(l, first)) is { } l)
        {
            Discard(first, DiscardReason.GroupDuplicate, l);
            Discard(g.Section, DiscardReason.GroupDuplicate, null);
        }

        _groupKept[g.Signature] = g;
    }

    private static void Discard(InputSection s, DiscardReason why, InputSection? kept)
    {
        s.Discarded = why;
        s.KeptInstead = kept;
        s.Assigned = true;
    }

    /// <summary>ld's already-linked key of a linkonce section: the name past <c>.gnu.linkonce.&lt;type&gt;.</c>, or
    /// the whole name when it does not follow that pattern.</summary>
    private static string LinkOnceKey(string name)
    {
        const string prefix = ".gnu.linkonce.";
        if (name.StartsWith(prefix, StringComparison.Ordinal) && name.IndexOf('.', prefix.Length) is var dot and >= 0)
        {
            return name[(dot + 1)..];
        }

        return name;
    }

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
        file.ReserveGlobals(symtab.Count - first);
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

            if (file.Elf.Header.Machine == ElfMachine.Mips && !sym.Extended &&
                (sym.SectionIndex is >= 0xff00 and <= 0xff04 || (sym.IsCommon && sym.Size <= 8 && sym.Type != ElfConstants.SttTls)))
            {
                // _bfd_mips_elf_add_symbol_hook also makes a common of at most the GP size (8 without -G) a small one.
                // SHN_MIPS_ACOMMON/TEXT/DATA/SCOMMON/SUNDEFINED: _bfd_mips_elf_add_symbol_hook gives them sections of
                // their own (.scommon, ...), which this emulation does not build. The kernel compiles with -G 0.
                throw new LinkException(LinkErrorIds.LinkUnsupportedInput, file.Path, $"symbol [{i}] '{name}'", null,
                    $"MIPS special section index 0x{sym.SectionIndex:x} (small common or small data; assemble with -G 0): not emulated");
            }

            var h = ctx.Symbols.GetOrAdd(name, static n => new LinkSymbol(n));
            file.SetGlobal(i - first, h);
            var weak = sym.Binding == ElfConstants.StbWeak;
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

            // elflink.c elf_merge_st_other: the backend's elf_backend_merge_symbol_attribute first (the bits of st_other
            // beyond visibility: ppc64's local entry point, MIPS's ISA bits), then the most constraining visibility.
            h.Other = StOtherMerge.Backend(file.Elf.Header.Machine, h.Other, sym.Other, definition: !undefined && !sym.IsCommon);
            var vis = (byte)(sym.Other & 3);
            if (vis != 0 && ((h.Other & 3) == 0 || vis < (h.Other & 3)))
            {
                h.Other = (byte)((h.Other & ~3) | vis);
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

            if (weak && h.State is LinkSymbolState.Defined or LinkSymbolState.DefinedWeak)
            {
                // _bfd_elf_merge_symbol skips a weak definition once the name is defined: nothing of it (size, type)
                // is kept.
                continue;
            }

            if (weak && h.State == LinkSymbolState.Common)
            {
                // A common is not "olddef", so the weak definition is not skipped: the link_action table leaves the
                // common as it is (NOACT), and elf_link_add_object_symbols still merges its size and type and takes
                // its st_target_internal (ARM's Thumb bit).
                MergeSizeAndType(h, sym, definition: true, weak, oldWeak, commonSize: null);
                h.ArmThumb = IsArmThumbFunction(file, sym);
                continue;
            }

            if (h.State == LinkSymbolState.Defined)
            {
                var where = h.Section is { } s0 ? $"{h.File?.Path}:({s0.MessageName}+0x{h.Value:x})" : $"{h.File?.Path}";
                throw new LinkException(LinkErrorIds.LinkMultipleDefinition, file.Path, $"symbol [{i}] '{name}'", null,
                    $"multiple definition of `{name}'; {where}: first defined here");
            }

            h.State = weak ? LinkSymbolState.DefinedWeak : LinkSymbolState.Defined;
            h.Section = section;
            h.IsAbsolute = section is null;
            h.ScriptSection = null;
            h.ScriptDefined = false;
            h.Value = sym.Value;
            h.File = file;
            h.GnuUnique = sym.Binding == ElfConstants.StbGnuUnique;
            h.ArmThumb = IsArmThumbFunction(file, sym);
            MergeSizeAndType(h, sym, definition: true, weak, oldWeak, commonSize: null);
        }
    }

    /// <summary>elf32_arm_swap_symbol_in: an STT_FUNC (or STT_GNU_IFUNC) with an odd value, or an STT_ARM_TFUNC, is a
    /// Thumb function; elf_link_add_object_symbols copies that into the entry on every definition it takes.</summary>
    private static bool IsArmThumbFunction(InputObject file, in ElfSymbol sym) =>
        file.Elf.Header.Machine == ElfMachine.Arm &&
        (sym.Type is ElfConstants.SttFunc or ElfConstants.SttGnuIfunc ? (sym.Value & 1) != 0 : sym.Type == ElfConstants.SttArmTfunc);

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
