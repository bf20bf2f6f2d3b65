using DynDbg.ElfSim.Elf;

namespace DynDbg.ElfSim.Linking;

/// <summary>
/// Orphan placement for a relocatable link: ld/ldlang.c <c>lang_place_orphans</c> offers every input section no
/// description matched to ld/ldelf.c <c>ldelf_place_orphan</c>, which joins a same-named output statement or makes
/// a new one (<c>lang_insert_orphan</c>) after the statement its kind belongs after (the <c>hold[]</c> table,
/// <c>output_rel_find</c>, <c>lang_output_section_find_by_flags</c>). Sections are added through
/// <c>lang_add_section</c>, which the engine owns and passes in.
/// </summary>
internal sealed class OrphanPlacer(LinkContext ctx, Action<OutputStatement, InputSection> addSection)
{
    private const int Special = 1;

    /// <summary>One row of ld/ldelf.c's <c>hold[]</c>: where orphans of one kind go, remembered across orphans.</summary>
    private sealed class OrphanPlace(string? name, SectionFlags flags, string kind)
    {
        public readonly string? Name = name;
        public readonly SectionFlags Flags = flags;
        public readonly string Kind = kind;
        public OutputStatement? Os;

        // place->section: unset, the front of the section list, or after a section.
        public bool SectionSet;
        public OutputSection? SectionAfter;

        // place->stmt and place->os_tail: the last orphan statement added for this place.
        public OutputStatement? StmtAfter;
        public OutputStatement? OsTailAfter;
    }

    private const SectionFlags Loaded = SectionFlags.HasContents | SectionFlags.Alloc | SectionFlags.Load;

    private readonly OrphanPlace[] _hold =
    [
        new(".text", Loaded | SectionFlags.ReadOnly | SectionFlags.Code, "code"),
        new(".rodata", Loaded | SectionFlags.ReadOnly | SectionFlags.Data, "read-only data"),
        new(".tdata", Loaded | SectionFlags.Data | SectionFlags.ThreadLocal, "thread-local data"),
        new(".data", Loaded | SectionFlags.Data, "writable data"),
        new(".bss", SectionFlags.Alloc, "zero-initialised (NOBITS)"),
        new(null, Loaded | SectionFlags.ReadOnly | SectionFlags.Data, "relocation"),
        new(".interp", Loaded | SectionFlags.ReadOnly | SectionFlags.Data, "note"),
        new(".sdata", Loaded | SectionFlags.Data, "small data"),
        new(".comment", SectionFlags.HasContents, "non-allocated"),
    ];

    private bool _holdInitialised;
    private OutputSection? _firstOrphanNote;

    /// <summary>ld/ldlang.c <c>lang_place_orphans</c>: every input section nothing matched, file by file in load order.</summary>
    public void PlaceOrphans()
    {
        foreach (var file in ctx.LoadOrder)
        {
            foreach (var s in file.Sections)
            {
                if (s.Assigned)
                {
                    continue;
                }

                if ((s.Flags & SectionFlags.Exclude) != 0)
                {
                    s.Assigned = true;
                    s.Discarded = DiscardReason.DiscardStatement;
                    continue;
                }

                if (ReferenceEquals(s, file.CommonSection))
                {
                    s.Discarded = DiscardReason.CommonNotPlaced;
                    continue;
                }

                PlaceOrphan(s);
            }
        }
    }

    /// <summary>ld/ldelf.c <c>ldelf_place_orphan</c> for a relocatable link.</summary>
    private void PlaceOrphan(InputSection s)
    {
        var secname = s.Name;
        // ld/ldlang.c ldlang_place_orphan: a unique section (a section group's, in -r) gets a statement of its own.
        var constraint = s.Group is not null ? Special : 0;
        OutputStatement? matchByName = null;
        // Not a copy: the loop returns as soon as it adds the section, and adding creates no statement.
        foreach (var os in constraint == 0 ? ctx.OsNamed(secname) : Array.Empty<OutputStatement>())
        {
            if (os.Constraint < 0)
            {
                continue;
            }

            constraint = Special;
            if (os.Section is { } o && (o.Flags == SectionFlags.None ||
                                        (((s.Flags ^ o.Flags) & (SectionFlags.Load | SectionFlags.Alloc)) == 0 && OrphanCompatible(s, o))))
            {
                addSection(os, s);
                s.Orphan = OrphanPlacement.Joined(os.Name, empty: false);
                return;
            }

            if (os.Section is null)
            {
                matchByName = os;
            }
        }

        if (matchByName is not null)
        {
            addSection(matchByName, s);
            s.Orphan = OrphanPlacement.Joined(matchByName.Name, empty: true);
            return;
        }

        if (!_holdInitialised)
        {
            foreach (var ho in _hold)
            {
                if (ho.Name is not null)
                {
                    ho.Os = ctx.FindOs(ho.Name);
                    if (ho.Os is not null && ho.Os.HoldFlags == SectionFlags.None)
                    {
                        ho.Os.HoldFlags = ho.Flags;
                    }
                }
            }

            _holdInitialised = true;
        }

        var flags = s.Flags;
        OrphanPlace? place = null;
        if ((flags & (SectionFlags.Alloc | SectionFlags.Debugging)) == 0)
        {
            place = _hold[8];
        }
        else if ((flags & SectionFlags.Alloc) == 0)
        {
            place = null;
        }
        else if ((flags & SectionFlags.Load) != 0 && s.Elf.Type == ElfConstants.ShtNote)
        {
            place = _hold[6];
        }
        else if ((flags & (SectionFlags.Load | SectionFlags.HasContents | SectionFlags.ThreadLocal)) == 0)
        {
            place = _hold[4];
        }
        else if ((flags & SectionFlags.ThreadLocal) != 0)
        {
            place = _hold[2];
        }
        else if ((flags & SectionFlags.ReadOnly) == 0)
        {
            place = _hold[3];
        }
        else if ((flags & SectionFlags.Load) != 0 && s.Elf.Type is ElfConstants.ShtRela or ElfConstants.ShtRel)
        {
            place = _hold[5];
        }
        else if ((flags & SectionFlags.Code) == 0)
        {
            place = _hold[1];
        }
        else
        {
            place = _hold[0];
        }

        OutputStatement? after = null;
        OrphanHow how;
        if (place is not null)
        {
            if (place.Os is null)
            {
                place.Os = place.Name is not null ? ctx.FindOs(place.Name) : OutputRelFind(s.Elf.Type == ElfConstants.ShtRela);
            }

            after = place.Os;
            how = OrphanHow.AfterNamed;
            if (after is null)
            {
                after = FindByFlags(s, flags, place, matchType: true);
                how = OrphanHow.AfterFlags;
            }

            if (after is null)
            {
                after = ctx.Abs;
                how = OrphanHow.BeforeAll;
            }
        }
        else
        {
            how = OrphanHow.AtEnd;
        }

        var os2 = InsertOrphan(s, secname, constraint, after, place);
        s.Orphan = new OrphanPlacement(place?.Kind ?? "debugging", os2.Name, how, after?.Name, constraint == Special, Grouped: s.Group is not null);
    }

    /// <summary>ld/ldelf.c <c>elf_orphan_compatible</c> in a relocatable link.</summary>
    private static bool OrphanCompatible(InputSection i, OutputSection o)
    {
        if (i.Elf.Info != 0)
        {
            return false;
        }

        if (((o.ExtraElfFlags ^ i.Elf.Flags) & (ElfConstants.ShfMaskProc | ElfConstants.ShfMaskOs)) != 0)
        {
            return false;
        }

        return o.ElfType == i.Elf.Type;
    }

    /// <summary>ld/ldelf.c <c>output_rel_find</c>: where relocation-type orphans go.</summary>
    private OutputStatement? OutputRelFind(bool rela)
    {
        OutputStatement? last = null, lastAlloc = null, lastRoAlloc = null, lastRel = null, lastRelAlloc = null;
        foreach (var lookup in ctx.OsList)
        {
            if (lookup.Constraint >= 0 && lookup.Name.StartsWith(".rel", StringComparison.Ordinal))
            {
                var lookRela = lookup.Name.Length > 4 && lookup.Name[4] == 'a';
                if (lookup.Name.AsSpan(4 + (lookRela ? 1 : 0)).SequenceEqual(".plt"))
                {
                    break;
                }

                if (rela == lookRela || lastRel is null)
                {
                    lastRel = lookup;
                }

                if ((rela == lookRela || lastRelAlloc is null) && lookup.Section is { } ls && (ls.Flags & SectionFlags.Alloc) != 0)
                {
                    lastRelAlloc = lookup;
                }
            }

            last = lookup;
            if (lookup.Section is { } s && (s.Flags & SectionFlags.Alloc) != 0)
            {
                lastAlloc = lookup;
                if ((s.Flags & SectionFlags.ReadOnly) != 0)
                {
                    lastRoAlloc = lookup;
                }
            }
        }

        return lastRelAlloc ?? lastRel ?? lastRoAlloc ?? lastAlloc ?? last;
    }

    /// <summary>ld/ldlang.c <c>lang_output_section_find_by_flags</c>: the last statement whose section has
    /// compatible flags (an exact match is remembered in the place), trying looser rules by kind.</summary>
    private OutputStatement? FindByFlags(InputSection sec, SectionFlags secFlags, OrphanPlace? exactInto, bool matchType)
    {
        const SectionFlags Contents = SectionFlags.HasContents, Alloc = SectionFlags.Alloc, Load = SectionFlags.Load,
            Ro = SectionFlags.ReadOnly, Code = SectionFlags.Code, Tls = SectionFlags.ThreadLocal;

        // The looks considered: every statement after *ABS*, with its section's flags, or its hold flags.
        IEnumerable<(OutputStatement Os, SectionFlags Flags)> Looks(bool useMatchType, bool tlsNoMatchType = false)
        {
            foreach (var look in ctx.OsList.Skip(1))
            {
                var f = look.HoldFlags;
                if (look.Section is { } o)
                {
                    f = o.Flags;
                    if (useMatchType && !tlsNoMatchType && o.ElfType != sec.Elf.Type)
                    {
                        continue;
                    }
                }

                yield return (look, f);
            }
        }

        OutputStatement? found = null;
        foreach (var (look, f) in Looks(matchType))
        {
            if (((f ^ secFlags) & (Contents | Alloc | Load | Ro | Code | Tls)) == 0)
            {
                found = look;
            }
        }

        if (found is not null)
        {
            if (exactInto is not null)
            {
                exactInto.Os = found;
            }

            return found;
        }

        if ((secFlags & Code) != 0 && (secFlags & Alloc) != 0)
        {
            foreach (var (look, f) in Looks(matchType))
            {
                if (((f ^ secFlags) & (Contents | Alloc | Load | Code | Tls)) == 0)
                {
                    found = look;
                }
            }
        }
        else if ((secFlags & Ro) != 0 && (secFlags & Alloc) != 0)
        {
            foreach (var (look, f) in Looks(matchType))
            {
                var differ = f ^ secFlags;
                if ((differ & (Contents | Alloc | Load | Ro)) == 0)
                {
                    found = look;
                }
            }
        }
        else if ((secFlags & Tls) != 0 && (secFlags & Alloc) != 0)
        {
            var seenTls = false;
            foreach (var (look, f) in Looks(false))
            {
                var differ = f ^ (secFlags | Load | Contents);
                if ((differ & (Tls | Alloc)) == 0)
                {
                    if ((f & Load) == 0 && (secFlags & Load) != 0)
                    {
                        break;
                    }

                    found = look;
                    seenTls = true;
                }
                else if (seenTls)
                {
                    break;
                }
                else if ((differ & (Contents | Alloc | Load)) == 0)
                {
                    found = look;
                }
            }
        }
        else if ((secFlags & Contents) != 0 && (secFlags & Alloc) != 0)
        {
            foreach (var (look, f) in Looks(matchType))
            {
                if (((f ^ secFlags) & (Contents | Alloc | Load | Tls)) == 0)
                {
                    found = look;
                }
            }
        }
        else if ((secFlags & Alloc) != 0)
        {
            foreach (var (look, f) in Looks(matchType))
            {
                if (((f ^ secFlags) & Alloc) == 0)
                {
                    found = look;
                }
            }
        }
        else
        {
            foreach (var (look, f) in Looks(false))
            {
                if (((f ^ secFlags) & SectionFlags.Debugging) == 0)
                {
                    found = look;
                }
            }

            return found;
        }

        if (found is not null || !matchType)
        {
            return found;
        }

        return FindByFlags(sec, secFlags, null, matchType: false);
    }

    /// <summary>ld/ldlang.c <c>output_prev_sec_find</c>.</summary>
    private OutputSection? OutputPrevSecFind(OutputStatement os)
    {
        var i = ctx.OsList.LastIndexOf(os);
        for (var k = i - 1; k >= 0; k--)
        {
            var lookup = ctx.OsList[k];
            if (lookup.Constraint < 0)
            {
                continue;
            }

            if (lookup.Section is not null)
            {
                return lookup.Section;
            }
        }

        return null;
    }

    /// <summary>
    /// ld/ldlang.c <c>insert_os_after</c>: where after <paramref name="after"/> a new output statement goes: past
    /// the statements that belong to it, but before a dot assignment that sets up the next output section.
    /// </summary>
    private int InsertOsAfterIndex(OutputStatement after)
    {
        var ignoreFirst = ReferenceEquals(after, ctx.Abs);
        var assign = -1;
        var i = ctx.Statements.LastIndexOf(after) + 1;
        for (; i < ctx.Statements.Count; i++)
        {
            switch (ctx.Statements[i])
            {
                case AssignmentNode a:
                    if (assign < 0 && a.Source.IsDot)
                    {
                        if (!ignoreFirst)
                        {
                            assign = i;
                        }

                        ignoreFirst = false;
                    }

                    continue;
                case AssertNode:
                    continue;
                case WildNode or InputSectionNode or DataNode or PaddingNode:
                    assign = -1;
                    ignoreFirst = false;
                    continue;
                case OutputStatement os:
                    if (assign >= 0)
                    {
                        var s = os.Section;
                        if (s is null || !s.HasInput || (s.Flags & SectionFlags.Alloc) != 0)
                        {
                            return assign;
                        }
                    }

                    return i;
                default:
                    continue;
            }
        }

        return i;
    }

    /// <summary>
    /// ld/ldlang.c <c>lang_insert_orphan</c>: a new output statement (address 0 in a relocatable link) holding the
    /// orphan, put after <paramref name="after"/> in the statement list and the statement list of output sections,
    /// and its section moved in the file's section order: after the place's previous orphan, or after
    /// <paramref name="after"/>'s section; notes kept together and sorted by alignment.
    /// </summary>
    // ld's orphan statements carry address 0 (an immutable expression, shared rather than made per orphan)
    private static readonly ScriptExpression.Number OrphanAddress = new(0, "0", default);

    private OutputStatement InsertOrphan(InputSection s, string secname, int constraint, OutputStatement? after, OrphanPlace? place)
    {
        var os = new OutputStatement
        {
            Name = secname,
            Address = OrphanAddress,
            Constraint = constraint,
            IsOrphan = true,
        };
        ctx.AddOs(os);
        ctx.OsList.Add(os);
        if (after is null)
        {
            ctx.Statements.Add(os);
        }

        addSection(os, s);
        if (after is null || os.Section is null || place is null)
        {
            return os;
        }

        var snew = os.Section;
        var placeAfter = place.StmtAfter is null;
        var insertAfter = true;
        if (!place.SectionSet && !ReferenceEquals(after, ctx.Abs))
        {
            var bfdSection = after.Section ?? OutputPrevSecFind(after);
            if (bfdSection is not null && !ReferenceEquals(bfdSection, snew))
            {
                place.SectionSet = true;
                place.SectionAfter = bfdSection;
            }
        }

        if (!place.SectionSet)
        {
            place.SectionSet = true;
            place.SectionAfter = null;
        }

        var asIndex = place.SectionAfter is null ? 0 : ctx.Sections.LastIndexOf(place.SectionAfter) + 1;
        var asSec = asIndex < ctx.Sections.Count ? ctx.Sections[asIndex] : null;
        static bool IsLoadedNote(OutputSection? o) => o is not null && o.ElfType == ElfConstants.ShtNote && (o.Flags & SectionFlags.Load) != 0;
        var sIsNote = s.Elf.Type == ElfConstants.ShtNote && (s.Flags & SectionFlags.Load) != 0;
        if (asSec is null)
        {
            RemoveLast(ctx.Sections, snew);
            ctx.Sections.Add(snew);
        }
        else if (sIsNote || IsLoadedNote(asSec))
        {
            OutputSection? afterSec = null;
            var afterSecNote = false;
            if (sIsNote)
            {
                _firstOrphanNote = null;
                foreach (var sec in ctx.Sections)
                {
                    if (!ReferenceEquals(sec, snew) && IsLoadedNote(sec))
                    {
                        _firstOrphanNote ??= sec;
                        if (sec.AlignmentPower >= s.AlignmentPower)
                        {
                            afterSec = sec;
                        }
                    }
                    else if (_firstOrphanNote is not null)
                    {
                        break;
                    }
                }

                afterSecNote = _firstOrphanNote is not null;
                if (afterSec is null && afterSecNote)
                {
                    afterSec = _firstOrphanNote;
                    insertAfter = false;
                }
            }
            else if (_firstOrphanNote is not null)
            {
                afterSecNote = true;
                afterSec = asSec;
                for (var k = ctx.Sections.LastIndexOf(asSec) + 1; k < ctx.Sections.Count; k++)
                {
                    if (IsLoadedNote(ctx.Sections[k]))
                    {
                        afterSec = ctx.Sections[k];
                    }
                }
            }

            if (afterSecNote)
            {
                if (afterSec is not null)
                {
                    var found = false;
                    for (var k = ctx.OsList.LastIndexOf(after); k >= 0 && k < ctx.OsList.Count; k++)
                    {
                        var stmt = ctx.OsList[k];
                        var next = k + 1 < ctx.OsList.Count ? ctx.OsList[k + 1] : null;
                        if (insertAfter ? ReferenceEquals(stmt.Section, afterSec) : next is not null && ReferenceEquals(next.Section, afterSec))
                        {
                            placeAfter = true;
                            found = true;
                            after = stmt;
                            break;
                        }
                    }

                    if (!found)
                    {
                        for (var k = ctx.OsList.LastIndexOf(after); k >= 0; k--)
                        {
                            var stmt = ctx.OsList[k];
                            var next = k + 1 < ctx.OsList.Count ? ctx.OsList[k + 1] : null;
                            if (insertAfter ? ReferenceEquals(stmt.Section, afterSec) : next is not null && ReferenceEquals(next.Section, afterSec))
                            {
                                placeAfter = true;
                                after = stmt;
                                break;
                            }
                        }
                    }
                }

                var idx = afterSec is null ? -1 : ctx.Sections.LastIndexOf(afterSec);
                var neighbour = afterSec is null ? null : insertAfter
                    ? (idx + 1 < ctx.Sections.Count ? ctx.Sections[idx + 1] : null)
                    : (idx > 0 ? ctx.Sections[idx - 1] : null);
                if (afterSec is null || !ReferenceEquals(neighbour, snew))
                {
                    RemoveLast(ctx.Sections, snew);
                    if (afterSec is not null)
                    {
                        var at = ctx.Sections.LastIndexOf(afterSec);
                        ctx.Sections.Insert(insertAfter ? at + 1 : at, snew);
                    }
                    else
                    {
                        ctx.Sections.Insert(0, snew);
                    }
                }
            }
            else
            {
                MoveBefore(snew, asSec);
            }
        }
        else
        {
            MoveBefore(snew, asSec);
        }

        place.SectionAfter = snew;

        // The statement list and the list of output statements. With a place (after is not null) the new statement
        // was never appended to the statement list, only to the list of output statements.
        RemoveLast(ctx.OsList, os);
        if (placeAfter)
        {
            ctx.Statements.Insert(InsertOsAfterIndex(after), os);
            place.OsTailAfter = after;
        }
        else
        {
            ctx.Statements.Insert(ctx.Statements.LastIndexOf(place.StmtAfter!) + 1, os);
        }

        place.StmtAfter = os;
        ctx.OsList.Insert(ctx.OsList.LastIndexOf(place.OsTailAfter!) + 1, os);
        place.OsTailAfter = os;
        return os;
    }

    /// <summary>Moves <paramref name="s"/> just before <paramref name="before"/> unless it is already there.</summary>
    private void MoveBefore(OutputSection s, OutputSection before)
    {
        var bi = ctx.Sections.LastIndexOf(before);
        if (ReferenceEquals(before, s) || (bi > 0 && ReferenceEquals(ctx.Sections[bi - 1], s)))
        {
            return;
        }

        RemoveLast(ctx.Sections, s);
        ctx.Sections.Insert(ctx.Sections.LastIndexOf(before), s);
    }

    /// <summary>
    /// List.Remove scans from the front; the statements and sections moved here are the ones just created, at the
    /// back. Each is in its list once, so the result is the same, without making orphan placement quadratic.
    /// </summary>
    private static void RemoveLast<T>(List<T> list, T item)
        where T : class
    {
        var i = list.LastIndexOf(item);
        if (i >= 0)
        {
            list.RemoveAt(i);
        }
    }
}
