using DynDbg.ElfSim.Elf;

namespace DynDbg.ElfSim.Linking;

internal sealed partial class LinkEngine
{
    private static IEnumerable<LayoutNode> Walk(IEnumerable<LayoutNode> nodes)
    {
        foreach (var n in nodes)
        {
            yield return n;
            switch (n)
            {
                case OutputStatement os:
                    foreach (var c in Walk(os.Children))
                    {
                        yield return c;
                    }

                    break;
                case WildNode w:
                    foreach (var c in Walk(w.Children))
                    {
                        yield return c;
                    }

                    break;
            }
        }
    }

    // ------------------------------------------------------------------ resolve_wilds

    /// <summary>
    /// ld/ldlang.c <c>resolve_wilds</c>: every input section, file by file (in load order: ld's file_chain grows as
    /// files are loaded) in section-header order, is offered to
    /// every input section description whose pattern prefix it passes; each description keeps its candidates in
    /// that order. A description is visited once per pattern whose literal prefix the name passes (ld's prefix
    /// tree), and records one candidate per matching pattern on each visit; the duplicates only matter for
    /// sorting and are mirrored so ties break the same way.
    /// </summary>
    private void ResolveWilds()
    {
        var wilds = Walk(_ctx.Statements).OfType<WildNode>().ToList();

        // Each pattern's literal prefix once (null: no wildcard, the name must be the pattern), not per section
        // offered: a 70 000-section object meets every description of module.lds.
        var prefixes = wilds.Select(w => w.Source.Sections.Select(p => p.Pattern.AsSpan().IndexOfAny("*?[") is var n and >= 0
            ? p.Pattern[..n] : null).ToArray()).ToArray();
        foreach (var file in _ctx.LoadOrder)
        {
            foreach (var s in file.Sections)
            {
                for (var k = 0; k < wilds.Count; k++)
                {
                    Offer(wilds[k], prefixes[k], file, s);
                }
            }
        }
    }

    private static void Offer(WildNode w, string?[] prefixes, InputObject file, InputSection s)
    {
        var src = w.Source;
        var visits = 0;
        if (src.Sections.Count == 0)
        {
            visits = 1;
        }
        else
        {
            for (var k = 0; k < prefixes.Length; k++)
            {
                if (prefixes[k] is not { } prefix)
                {
                    visits += s.Name == src.Sections[k].Pattern ? 1 : 0;
                }
                else if (s.Name.StartsWith(prefix, StringComparison.Ordinal))
                {
                    visits++;
                }
            }
        }

        for (var v = 0; v < visits; v++)
        {
            if (!FileMatches(src.File, file) || ExcludedFile(src.File.ExcludeFiles, file))
            {
                return;
            }

            if (src.Sections.Count == 0)
            {
                w.Matching.Add((s, null));
                continue;
            }

            foreach (var p in src.Sections)
            {
                if (p.Matches(s.Name) && !ExcludedFile(p.ExcludeFiles, file))
                {
                    w.Matching.Add((s, p));
                }
            }
        }
    }

    /// <summary>A file pattern with wildcards is matched with fnmatch against the name as given; a plain name
    /// must be that input exactly (ld's lookup_name).</summary>
    private static bool FileMatches(InputPattern pattern, InputObject file) =>
        pattern.Pattern == "*" || (Glob.HasWildcards(pattern.Pattern)
            ? Glob.Matches(pattern.Pattern, file.Path)
            : string.Equals(pattern.Pattern, file.Path, StringComparison.Ordinal));

    private static bool ExcludedFile(IReadOnlyList<string> excludes, InputObject file)
    {
        foreach (var x in excludes)
        {
            if (Glob.HasWildcards(x) ? Glob.Matches(x, file.Path) : x == file.Path)
            {
                return true;
            }
        }

        return false;
    }

    // ------------------------------------------------------------------ map_input_to_output_sections

    private void MapInputToOutputSections(List<LayoutNode> nodes, OutputStatement? os)
    {
        foreach (var n in nodes)
        {
            switch (n)
            {
                case WildNode w:
                    Wild(w, os!);
                    break;
                case OutputStatement child:
                    MapInputToOutputSections(child.Children, child);
                    break;
                case DataNode d:
                    ExpInitOs(d.Source.Value);
                    var flags = SectionFlags.HasContents | SectionFlags.Alloc | SectionFlags.Load;
                    if (os!.NoLoad)
                    {
                        flags = SectionFlags.NeverLoad | SectionFlags.Alloc;
                    }

                    if (os.Section is null)
                    {
                        InitOs(os, flags | SectionFlags.ReadOnly, d.Location);
                    }
                    else
                    {
                        os.Section.Flags |= flags;
                    }

                    break;
                case AssignmentNode a:
                    if (os is not null && os.Section is null)
                    {
                        InitOs(os, SectionFlags.None, a.Location);
                    }

                    ExpInitOs(a.Source.Value);
                    break;
            }
        }
    }

    /// <summary>ld/ldlang.c <c>wild</c>: place the candidates, through the sorting tree when anything sorts.</summary>
    private void Wild(WildNode w, OutputStatement os)
    {
        if (!w.Source.AnySorted)
        {
            foreach (var (s, _) in w.Matching)
            {
                if (!UniqueSection(s, os))
                {
                    AddSection(w.Children, s, w.Source, os);
                }
            }

            return;
        }

        var tree = new SortTree(w.Source.File.Sort == InputSort.ByName);
        foreach (var (s, p) in w.Matching)
        {
            if (UniqueSection(s, os))
            {
                continue;
            }

            if (!tree.Insert(s, p))
            {
                throw ScriptErrors.Unsupported(w.Source.Location, $"file-name sorting with the unsorted section pattern {p?.PrintSection() ?? "*"}",
                    $"it matches two sections of {s.File.Path}, where ld.bfd 2.40 aborts (internal error in ldlang.c compare_section); sort the section pattern too");
            }
        }

        foreach (var s in tree.InOrder())
        {
            AddSection(w.Children, s, w.Source, os);
        }
    }

    /// <summary>ld/ldlang.c <c>unique_section_p</c> in a relocatable link (no --force-group-allocation): a section
    /// group's sections are for no output section statement but /DISCARD/; orphan placement gives each its own.</summary>
    private static bool UniqueSection(InputSection s, OutputStatement os) => s.Group is not null && !os.IsDiscard;

    /// <summary>
    /// ld/ldlang.c <c>lang_add_section</c>: discard what goes to /DISCARD/ (or has SHF_EXCLUDE); skip what another
    /// description already took; otherwise add it, accumulating the output section's flags and alignment and, for
    /// its first input, copying the ELF type and OS/processor flags (<c>_bfd_elf_init_private_section_data</c>).
    /// </summary>
    private void AddSection(List<LayoutNode> into, InputSection section, ScriptStatement.InputSections? by, OutputStatement os)
    {
        var discard = (section.Flags & SectionFlags.Exclude) != 0 || os.IsDiscard;
        if (discard)
        {
            if (!section.Assigned)
            {
                section.Assigned = true;
                section.Discarded = DiscardReason.DiscardStatement;
                section.PlacedBy = by;
            }

            return;
        }

        if (section.Assigned)
        {
            return;
        }

        var flags = section.Flags & ~SectionFlags.NeverLoad;
        if (os.NoLoad)
        {
            flags &= ~SectionFlags.Load;
            flags |= SectionFlags.NeverLoad;
            flags &= ~SectionFlags.HasContents;
        }

        if (os.Section is null)
        {
            InitOs(os, flags, os.Location);
        }

        var o = os.Section!;
        o.Flags &= flags | ~SectionFlags.ReadOnly;
        if (o.HasInput)
        {
            flags &= ~SectionFlags.ReadOnly;
            if ((o.Flags & (SectionFlags.Merge | SectionFlags.Strings)) != (flags & (SectionFlags.Merge | SectionFlags.Strings)) ||
                ((flags & SectionFlags.Merge) != 0 && o.EntSize != section.Elf.EntSize))
            {
                o.Flags &= ~(SectionFlags.Merge | SectionFlags.Strings);
                flags &= ~(SectionFlags.Merge | SectionFlags.Strings);
            }
        }

        o.Flags |= flags;
        if (!o.HasInput)
        {
            o.HasInput = true;
            InitPrivateSectionData(section, o);
            if ((flags & SectionFlags.Merge) != 0)
            {
                o.EntSize = section.Elf.EntSize;
            }
        }

        // .ctors in .init_array (.dtors in .fini_array) run in the other direction: copy them reversed.
        if ((section.Name.StartsWith(".ctors", StringComparison.Ordinal) && o.Name == ".init_array") ||
            (section.Name.StartsWith(".dtors", StringComparison.Ordinal) && o.Name == ".fini_array"))
        {
            if (section.Name.Length == 6 || section.Name[6] == '.')
            {
                section.ReverseCopy = true;
            }
        }

        if (section.AlignmentPower > o.AlignmentPower)
        {
            o.AlignmentPower = section.AlignmentPower;
        }

        section.Output = o;
        section.Assigned = true;
        section.PlacedBy = by;
        into.Add(new InputSectionNode { Section = section });
    }

    private static void InitPrivateSectionData(InputSection i, OutputSection o)
    {
        if (o.ElfType is ElfConstants.ShtProgbits or ElfConstants.ShtNote or ElfConstants.ShtNobits)
        {
            o.ElfType = 0;
        }

        if (o.ElfType == 0 && o.Flags == i.Flags)
        {
            o.ElfType = i.Elf.Type;
        }

        o.ExtraElfFlags = i.Elf.Flags & (ElfConstants.ShfMaskOs | ElfConstants.ShfMaskProc);
        // A group's sections are unique, so this input is the only one. Members carry SHF_GROUP (InputGroup.ReadAll
        // refuses one without it, and any other section with it).
        o.Group = i.Group;
        o.ExtraElfFlags |= i.Elf.Flags & ElfConstants.ShfGroup;

        if ((i.Elf.Flags & ElfConstants.ShfLinkOrder) != 0)
        {
            o.ExtraElfFlags |= ElfConstants.ShfLinkOrder;
            o.LinkedTo = i.LinkedTo;
        }
    }

    /// <summary>ld/ldlang.c <c>init_os</c>: make the output section (in creation order, which is the file's order
    /// until orphans are moved in), with the statement's ALIGN.</summary>
    private void InitOs(OutputStatement os, SectionFlags flags, ScriptLocation? at)
    {
        if (os.IsDiscard)
        {
            throw ScriptErrors.Evaluation(at ?? os.Location ?? new ScriptLocation(_ctx.Script.Name, 0, 0), "illegal use of `/DISCARD/' section");
        }

        var (type, elfFlags) = SpecialSections.Of(os.Name, _ctx.Identity!.Machine);
        var o = new OutputSection(os.Name, flags, type) { Statement = os, ExtraElfFlags = elfFlags };
        os.Section = o;
        _ctx.Sections.Add(o);
        if (os.Address is not null)
        {
            ExpInitOs(os.Address);
        }

        if (os.Align is not null)
        {
            var v = _eval.EvalConstant(os.Align, "section alignment");
            o.AlignmentPower = CeilLog2(v);
        }
    }

    private static int CeilLog2(ulong x)
    {
        var n = 0;
        for (ulong p2 = 1; p2 < x && p2 != 0; p2 <<= 1)
        {
            n++;
        }

        return n;
    }

    /// <summary>ld/ldlang.c <c>exp_init_os</c>: ADDR and LOADADDR of a statement make its section exist.</summary>
    private void ExpInitOs(ScriptExpression e)
    {
        switch (e)
        {
            case ScriptExpression.Unary u:
                ExpInitOs(u.Operand);
                break;
            case ScriptExpression.Binary b:
                ExpInitOs(b.Left);
                ExpInitOs(b.Right);
                break;
            case ScriptExpression.Conditional c:
                ExpInitOs(c.Condition);
                ExpInitOs(c.Then);
                ExpInitOs(c.Else);
                break;
            case ScriptExpression.NameFunction { Function: "ADDR" or "LOADADDR" } f:
                if (_ctx.FindOs(f.Argument) is { Section: null } os)
                {
                    InitOs(os, SectionFlags.None, f.Location);
                }

                break;
        }
    }

    // ------------------------------------------------------------------ sorting (wild_sort, compare_section)

    /// <summary>ld's binary tree for sorted input section descriptions, linearised in order.</summary>
    private sealed class SortTree(bool filesSorted)
    {
        private sealed class Node(InputSection s)
        {
            public readonly InputSection Section = s;
            public Node? Left;
            public Node? Right;
        }

        private Node? _root;

        // ld's wild->rightmost: the link an unsorted candidate is stored in; null owner means the root link.
        private Node? _rightmostOwner;

        /// <summary>Inserts as ld's <c>wild_sort</c> does; false where ld 2.40 calls <c>compare_section</c> with no sort
        /// (two sections of one file under file-name sorting and an unsorted pattern), which aborts there.</summary>
        public bool Insert(InputSection s, InputPattern? p)
        {
            var node = new Node(s);
            var sort = p?.Sort ?? InputSort.None;
            if (!filesSorted && sort is InputSort.None or InputSort.ByNone)
            {
                if (_rightmostOwner is null)
                {
                    _root = node;
                }
                else
                {
                    _rightmostOwner.Right = node;
                }

                _rightmostOwner = node;
                return true;
            }

            Node? parent = null;
            var right = false;
            var n = _root;
            while (n is not null)
            {
                parent = n;
                int c = 0;
                if (filesSorted)
                {
                    c = string.CompareOrdinal(s.File.Path, n.Section.File.Path);
                }

                if (c == 0)
                {
                    if (sort is InputSort.None or InputSort.ByNone)
                    {
                        return false;
                    }

                    c = Compare(sort, s, n.Section) < 0 ? -1 : 1;
                }

                right = c > 0;
                n = right ? n.Right : n.Left;
            }

            if (parent is null)
            {
                _root = node;
            }
            else if (right)
            {
                parent.Right = node;
            }
            else
            {
                parent.Left = node;
            }

            // Storing into the rightmost link moves it on, as ld does.
            if ((parent is null && _rightmostOwner is null) || (right && ReferenceEquals(parent, _rightmostOwner)))
            {
                _rightmostOwner = node;
            }

            return true;
        }

        public IEnumerable<InputSection> InOrder()
        {
            var stack = new Stack<Node>();
            var n = _root;
            while (n is not null || stack.Count > 0)
            {
                while (n is not null)
                {
                    stack.Push(n);
                    n = n.Left;
                }

                n = stack.Pop();
                yield return n.Section;
                n = n.Right;
            }
        }

        private static int Compare(InputSort sort, InputSection a, InputSection b)
        {
            switch (sort)
            {
                case InputSort.ByInitPriority:
                    var pa = InitPriority(a.Name);
                    var pb = InitPriority(b.Name);
                    if (pa < 0 || pb < 0)
                    {
                        return string.CompareOrdinal(a.Name, b.Name);
                    }

                    return pa != pb ? pa - pb : string.CompareOrdinal(a.Name, b.Name);
                case InputSort.ByAlignmentName:
                    var r = b.AlignmentPower - a.AlignmentPower;
                    return r != 0 ? r : string.CompareOrdinal(a.Name, b.Name);
                case InputSort.ByNameAlignment:
                    var c = string.CompareOrdinal(a.Name, b.Name);
                    return c != 0 ? c : b.AlignmentPower - a.AlignmentPower;
                case InputSort.ByAlignment:
                    return b.AlignmentPower - a.AlignmentPower;
                default:
                    return string.CompareOrdinal(a.Name, b.Name);
            }
        }

        /// <summary>ld/ldlang.c <c>get_init_priority</c>.</summary>
        private static int InitPriority(string name)
        {
            var dot = name.LastIndexOf('.');
            if (dot < 0 || dot + 1 >= name.Length || !char.IsAsciiDigit(name[dot + 1]))
            {
                return -1;
            }

            if (!ulong.TryParse(name.AsSpan(dot + 1), out var v))
            {
                return -1;
            }

            if (dot == 6 && (name.StartsWith(".ctors", StringComparison.Ordinal) || name.StartsWith(".dtors", StringComparison.Ordinal)))
            {
                v = 65535 - v;
            }

            return v <= int.MaxValue ? (int)v : -1;
        }
    }
}
