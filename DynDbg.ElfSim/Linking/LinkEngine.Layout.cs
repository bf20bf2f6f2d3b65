using DynDbg.ElfSim.Elf;

namespace DynDbg.ElfSim.Linking;

internal sealed partial class LinkEngine
{
    // ------------------------------------------------------------------ lang_size_sections

    private void SizeSections()
    {
        _eval.BeginPass(LayoutPhase.Allocating);
        SizeList(_ctx.Statements, _ctx.Abs, 0);
    }

    private ulong SizeList(List<LayoutNode> list, OutputStatement current, ulong dot)
    {
        for (var i = 0; i < list.Count; i++)
        {
            switch (list[i])
            {
                case OutputStatement os when !os.IsAbs:
                    dot = SizeOutputStatement(os, dot);
                    break;
                case WildNode w:
                    dot = SizeList(w.Children, current, dot);
                    break;
                case InputSectionNode n:
                    dot = SizeInputSection(list, ref i, n.Section, current, dot);
                    break;
                case AssignmentNode a:
                {
                    var newdot = dot;
                    _eval.Assign(a, current, ref newdot);
                    if (!a.Source.IsDot)
                    {
                        current.UpdateDot = true;
                    }

                    if (current.IsAbs)
                    {
                        _eval.State.RegionCurrent = newdot;
                    }
                    else if (newdot != dot)
                    {
                        InsertPad(list, i + 1, current.Section!, newdot - dot, dot);
                        i++;
                        current.Section!.Flags |= SectionFlags.Alloc;
                    }

                    dot = newdot;
                    break;
                }

                case AssertNode when current.IsAbs:
                    // An ASSERT is an assignment statement to ld (exp_assert): at the top level it sets the default
                    // region's current address to dot, as any assignment there does.
                    _eval.State.RegionCurrent = dot;
                    break;

                case DataNode d:
                {
                    var o = current.Section!;
                    d.OutputOffset = dot - o.Address;
                    _eval.FoldTreeAbs(d.Source.Value, dot);
                    dot += (ulong)d.Source.Size;
                    o.Size = dot - o.Address;
                    break;
                }

                case PaddingNode p:
                    p.Size = 0;
                    p.OutputOffset = dot - p.Section.Address;
                    break;
            }
        }

        return dot;
    }

    /// <summary>ld/ldlang.c <c>lang_size_sections_1</c> for one output statement.</summary>
    private ulong SizeOutputStatement(OutputStatement os, ulong dot)
    {
        if (os.Address is not null)
        {
            var r = _eval.FoldTreeAbs(os.Address, dot);
            if (!r.Valid)
            {
                throw ScriptErrors.Evaluation(os.Address.Location,
                    $"non constant or forward reference address expression for section {os.Name}");
            }

            dot = r.V + r.Base;
        }

        if (os.Section is not { } o)
        {
            return dot;
        }

        ulong newdot;
        int alignment;
        if (os.Address is null)
        {
            newdot = _eval.State.RegionCurrent;
            alignment = o.AlignmentPower;
        }
        else
        {
            alignment = os.Align is null ? -1 : CeilLog2(_eval.EvalConstant(os.Align, "section alignment"));
        }

        newdot = os.Address is null ? _eval.State.RegionCurrent : dot;
        if (alignment > 0)
        {
            newdot = AlignPower(newdot, alignment);
        }

        o.Address = newdot;
        o.Size = 0;
        SizeList(os.Children, os, newdot);
        // SEC_FIXED_SIZE (MIPS .MIPS.abiflags, .reginfo): the inputs are placed, the size stays.
        o.Size = o.FixedSize ?? o.Size;
        os.ProcessedVma = true;
        dot = o.Address + o.Size;
        if ((o.Flags & (SectionFlags.Alloc | SectionFlags.Load)) != 0)
        {
            _eval.State.RegionCurrent = dot;
        }

        return dot;
    }

    /// <summary>ld/ldlang.c <c>size_input_section</c>: align the input, pad, record its offset.</summary>
    private ulong SizeInputSection(List<LayoutNode> list, ref int i, InputSection s, OutputStatement current, ulong dot)
    {
        var o = current.Section!;
        if ((s.Flags & SectionFlags.Exclude) != 0)
        {
            s.OutputOffset = dot - o.Address;
            return dot;
        }

        if (o.AlignmentPower < s.AlignmentPower)
        {
            o.AlignmentPower = s.AlignmentPower;
        }

        var needed = AlignPower(dot, s.AlignmentPower) - dot;
        if (needed != 0)
        {
            if (InsertPad(list, i, o, needed, dot))
            {
                i++;
            }

            dot += needed;
        }

        s.OutputOffset = dot - o.Address;
        dot += s.Size;
        o.Size = dot - o.Address;
        return dot;
    }

    /// <summary>ld/ldlang.c <c>insert_pad</c>: reuse the padding just before, or put a new one at <paramref name="at"/>.
    /// Returns true when a node was inserted.</summary>
    private static bool InsertPad(List<LayoutNode> list, int at, OutputSection o, ulong size, ulong dot)
    {
        PaddingNode? pad = null;
        var inserted = false;
        if (at > 0 && list[at - 1] is PaddingNode p0 && ReferenceEquals(p0.Section, o))
        {
            pad = p0;
        }
        else if (at < list.Count && list[at] is PaddingNode p1 && ReferenceEquals(p1.Section, o))
        {
            pad = p1;
        }
        else
        {
            pad = new PaddingNode { Section = o };
            list.Insert(at, pad);
            inserted = true;
        }

        pad.OutputOffset = dot - o.Address;
        pad.Size = size;
        o.Size = dot + size - o.Address;
        return inserted;
    }

    private static ulong AlignPower(ulong v, int power) => power <= 0 ? v : (v + (1UL << power) - 1) & ~((1UL << power) - 1);

    // ------------------------------------------------------------------ lang_do_assignments

    private void DoAssignments(LayoutPhase phase)
    {
        _eval.BeginPass(phase);
        var foundEnd = false;
        DoAssignmentsList(_ctx.Statements, _ctx.Abs, 0, ref foundEnd);
    }

    private ulong DoAssignmentsList(List<LayoutNode> list, OutputStatement current, ulong dot, ref bool foundEnd)
    {
        // By index, not over a copy: nothing here adds to the lists (a copy per output statement was 8% of a
        // 70 010-section link, in allocations and the collections they caused).
        for (var i = 0; i < list.Count; i++)
        {
            var node = list[i];
            switch (node)
            {
                case OutputStatement os when !os.IsAbs:
                {
                    os.AfterEnd = foundEnd;
                    var newdot = dot;
                    if (os.Section is { } o)
                    {
                        if ((o.Flags & SectionFlags.Alloc) != 0)
                        {
                            _eval.State.CurrentSection = os;
                            _eval.State.PreferNextSection = false;
                        }

                        newdot = o.Address;
                    }

                    DoAssignmentsList(os.Children, os, newdot, ref foundEnd);
                    if (os.Section is { } o2)
                    {
                        newdot = o2.Address + o2.Size;
                    }

                    dot = newdot;
                    break;
                }

                case WildNode w:
                    dot = DoAssignmentsList(w.Children, current, dot, ref foundEnd);
                    break;
                case DataNode d:
                {
                    var r = _eval.FoldTreeAbs(d.Source.Value, dot);
                    if (r.Valid)
                    {
                        d.Value = r.V + r.Base;
                    }
                    else if (_eval.State.Phase == LayoutPhase.Final)
                    {
                        throw ScriptErrors.Evaluation(d.Source.Location, "invalid data statement");
                    }

                    dot += (ulong)d.Source.Size;
                    break;
                }

                case InputSectionNode n:
                    if ((n.Section.Flags & SectionFlags.Exclude) == 0)
                    {
                        dot += n.Section.Size;
                    }

                    break;
                case AssignmentNode a:
                    _eval.State.CurrentAssign = a;
                    _eval.State.CurrentAssignList = list;
                    if (current.IsAbs && a.Source.IsDot)
                    {
                        _eval.State.PreferNextSection = true;
                    }

                    if (a.Source.Target.TrimStart('_') == "end")
                    {
                        foundEnd = true;
                    }

                    _eval.Assign(a, current, ref dot);
                    break;
                case AssertNode s:
                {
                    var r = _eval.FoldTree(s.Source.Condition, current, dot);
                    s.FinalValue = r.V + r.Base;
                    if (_eval.State.Phase == LayoutPhase.Final && r.V == 0)
                    {
                        _ctx.FailedAsserts.Add(s);
                    }

                    break;
                }

                case PaddingNode p:
                    dot += p.Size;
                    break;
            }
        }

        return dot;
    }

    private void CheckAsserts()
    {
        if (_ctx.FailedAsserts.Count > 0)
        {
            var a = _ctx.FailedAsserts[0].Source;
            throw new LinkException(LinkErrorIds.ScriptAssertion, a.Location.ToString(), "", null, a.Message);
        }
    }
}
