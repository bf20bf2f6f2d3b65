using DynDbg.ElfSim.Elf;
using E = DynDbg.ElfSim.Linking.ScriptExpression;

namespace DynDbg.ElfSim.Linking;

internal sealed partial class LinkEngine
{
    private enum Phase
    {
        Mark,
        Allocating,
        Final,
    }

    /// <summary>What an expression is relative to (ld's expld.result.section): a plain number, the absolute
    /// section, an output section, or nothing defined (an assignment inside a statement without a section).</summary>
    private enum RefKind
    {
        Number,
        Abs,
        Section,
        Undefined,
    }

    private readonly record struct Value(bool Valid, ulong V, RefKind Kind, OutputSection? Section = null)
    {
        public ulong Base => Kind == RefKind.Section ? Section!.Address : 0;

        public static readonly Value Invalid = new(false, 0, RefKind.Number);
    }

    /// <summary>ld's definedness table: which pass last assigned a script symbol and what it ends up relative to.</summary>
    private sealed class Definedness
    {
        public int Iteration;
        public bool ByObject;
        public OutputSection? FinalSection;
    }

    private readonly Dictionary<string, Definedness> _definedness = new(StringComparer.Ordinal);
    private readonly HashSet<ScriptStatement.Assignment> _provided = [];
    private int _iteration;
    private Phase _phase;
    private ulong _regionCurrent;

    // expld: the evaluation context.
    private ulong _dot;
    private bool _haveDot;
    private RefKind _ctxKind;
    private OutputSection? _ctxSection;
    private bool _relFromAbs;
    private string? _assignName;
    private LinkSymbol? _assignSrc;
    private bool _assignSrcMany;
    private bool _assigningToDot;

    // lang_do_assignments state for section_for_dot.
    private OutputStatement? _currentSection;
    private bool _preferNextSection;
    private LayoutNode? _currentAssign;
    private List<LayoutNode>? _currentAssignList;

    private ulong ContextBase => _ctxKind == RefKind.Section ? _ctxSection!.Address : 0;

    // ------------------------------------------------------------------ lang_size_sections

    private void SizeSections()
    {
        _phase = Phase.Allocating;
        _iteration++;
        _regionCurrent = 0;
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
                    Evaluate(a, current, ref newdot);
                    if (!a.Source.IsDot)
                    {
                        current.UpdateDot = true;
                    }

                    if (current.IsAbs)
                    {
                        _regionCurrent = newdot;
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
                    _regionCurrent = dot;
                    break;

                case DataNode d:
                {
                    var o = current.Section!;
                    d.OutputOffset = dot - o.Address;
                    var scratch = dot;
                    EvalIn(d.Source.Value, RefKind.Abs, null, ref scratch);
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
            var r = EvalIn(os.Address, RefKind.Abs, null, ref dot);
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
            newdot = _regionCurrent;
            alignment = o.AlignmentPower;
        }
        else
        {
            alignment = os.Align is null ? -1 : CeilLog2(EvalConstant(os.Align, "section alignment"));
        }

        newdot = os.Address is null ? _regionCurrent : dot;
        if (alignment > 0)
        {
            newdot = AlignPower(newdot, alignment);
        }

        o.Address = newdot;
        o.Size = 0;
        SizeList(os.Children, os, newdot);
        os.ProcessedVma = true;
        dot = o.Address + o.Size;
        if ((o.Flags & (SectionFlags.Alloc | SectionFlags.Load)) != 0)
        {
            _regionCurrent = dot;
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

    private static ulong AlignN(ulong value, ulong align) => align <= 1 ? value : (value + align - 1) / align * align;

    // ------------------------------------------------------------------ lang_do_assignments

    private void DoAssignments(Phase phase)
    {
        _phase = phase;
        _iteration++;
        _currentSection = null;
        _preferNextSection = false;
        var foundEnd = false;
        DoAssignmentsList(_ctx.Statements, _ctx.Abs, 0, ref foundEnd);
    }

    private ulong DoAssignmentsList(List<LayoutNode> list, OutputStatement current, ulong dot, ref bool foundEnd)
    {
        foreach (var node in list.ToList())
        {
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
                            _currentSection = os;
                            _preferNextSection = false;
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
                    var r = EvalIn(d.Source.Value, RefKind.Abs, null, ref dot);
                    if (r.Valid)
                    {
                        d.Value = r.V + r.Base;
                    }
                    else if (_phase == Phase.Final)
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
                    _currentAssign = a;
                    _currentAssignList = list;
                    if (current.IsAbs && a.Source.IsDot)
                    {
                        _preferNextSection = true;
                    }

                    if (a.Source.Target.TrimStart('_') == "end")
                    {
                        foundEnd = true;
                    }

                    Evaluate(a, current, ref dot);
                    break;
                case AssertNode s:
                {
                    var scratch = dot;
                    var r = EvalIn(s.Source.Condition, ContextOf(current), current.Section, ref scratch);
                    s.FinalValue = r.V + r.Base;
                    if (_phase == Phase.Final && r.V == 0)
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
            throw new ElfFormatException(ErrorIds.ScriptAssertion, a.Location.ToString(), "", null, a.Message);
        }
    }

    private RefKind ContextOf(OutputStatement current) =>
        current.IsAbs ? RefKind.Abs : current.Section is null ? RefKind.Undefined : RefKind.Section;

    /// <summary>Evaluates <paramref name="e"/> with ld's expld context set to <paramref name="kind"/>/<paramref name="section"/>.</summary>
    private Value EvalIn(E e, RefKind kind, OutputSection? section, ref ulong dot)
    {
        using (EnterContext(kind, section, dot, haveDot: true))
        {
            return Fold(e);
        }
    }

    /// <summary>Sets ld's expld context (section, dot, whether there is one) until the scope is disposed; like
    /// exp_fold_tree, it also clears rel_from_abs.</summary>
    private ContextScope EnterContext(RefKind kind, OutputSection? section, ulong dot, bool haveDot)
    {
        var scope = new ContextScope(this, _ctxKind, _ctxSection, _dot, _haveDot);
        (_ctxKind, _ctxSection, _dot, _haveDot, _relFromAbs) = (kind, section, dot, haveDot, false);
        return scope;
    }

    private readonly struct ContextScope(LinkEngine engine, RefKind kind, OutputSection? section, ulong dot, bool haveDot) : IDisposable
    {
        public void Dispose() => (engine._ctxKind, engine._ctxSection, engine._dot, engine._haveDot) = (kind, section, dot, haveDot);
    }

    /// <summary>exp_get_vma: a constant expression, evaluated without a location counter.</summary>
    private ulong EvalConstant(E e, string what)
    {
        using (EnterContext(RefKind.Abs, null, 0, haveDot: false))
        {
            var r = Fold(e);
            if (!r.Valid)
            {
                throw ScriptErrors.Evaluation(e.Location, $"nonconstant expression for {what}");
            }

            return r.V;
        }
    }

    // ------------------------------------------------------------------ assignments (exp_fold_tree_1, etree_assign)

    private void Evaluate(AssignmentNode node, OutputStatement current, ref ulong dot)
    {
        var a = node.Source;
        using (EnterContext(ContextOf(current), current.Section, dot, haveDot: true))
        {
            if (a.IsDot)
            {
                node.FinalValid = AssignDot(a, ref dot, out var value);
                node.FinalDot = value;
            }
            else
            {
                node.FinalValid = AssignSymbol(a, out var selfReference);
                node.SelfReference = selfReference;
            }
        }
    }

    private bool AssignDot(ScriptStatement.Assignment a, ref ulong dot, out ulong value)
    {
        value = 0;
        if (a.Provide)
        {
            throw ScriptErrors.Evaluation(a.Location, "can not PROVIDE assignment to location counter");
        }

        _assigningToDot = true;
        Value r;
        try
        {
            r = Fold(a.Value);
        }
        finally
        {
            _assigningToDot = false;
        }

        if (!r.Valid || _ctxKind == RefKind.Undefined)
        {
            if (_phase != Phase.Mark)
            {
                throw ScriptErrors.Evaluation(a.Location, "invalid assignment to location counter");
            }

            return false;
        }

        value = r.V + (r.Kind == RefKind.Number ? ContextBase : r.Base);
        if (_phase <= Phase.Allocating || _ctxKind == RefKind.Abs)
        {
            var next = value;
            if (next < _dot && _ctxKind != RefKind.Abs)
            {
                throw ScriptErrors.Evaluation(a.Location, $"cannot move location counter backwards (from {_dot:x16} to {next:x16})");
            }

            _dot = next;
            dot = next;
        }

        return true;
    }

    private bool AssignSymbol(ScriptStatement.Assignment a, out bool selfReference)
    {
        selfReference = false;
        LinkSymbol? h = null;
        if (a.Provide && !_provided.Contains(a))
        {
            h = _ctx.Symbols.Find(a.Target);
            if (h is null || !(h.State is LinkSymbolState.New or LinkSymbolState.Undefined or LinkSymbolState.UndefinedWeak))
            {
                return false;
            }
        }

        _assignName = a.Target;
        _assignSrc = null;
        _assignSrcMany = false;
        var r = Fold(a.Value);
        selfReference = _assignName is null;
        if (_phase == Phase.Final || _assignName is not null)
        {
            if (a.Provide)
            {
                _provided.Add(a);
            }

            h ??= _ctx.Symbols.GetOrAdd(a.Target, () => new LinkSymbol(a.Target));
            if (!r.Valid && h.State == LinkSymbolState.New)
            {
                r = new Value(true, 0, RefKind.Number);
            }

            if (r.Valid)
            {
                if (r.Kind == RefKind.Number)
                {
                    r = r with { Kind = _ctxKind, Section = _ctxSection };
                }

                UpdateDefinedness(a.Target, h, r);
                h.State = LinkSymbolState.Defined;
                h.Value = r.V;
                h.Section = null;
                h.ScriptSection = r.Kind == RefKind.Section ? r.Section : null;
                h.IsAbsolute = r.Kind != RefKind.Section;
                h.ScriptDefined = true;
                h.AssignedBy = a;
                if (a.Hidden)
                {
                    h.ForcedLocal = true;
                }

                if (_assignSrc is { } src && !_assignSrcMany)
                {
                    h.Type = src.Type;
                }
            }
        }

        _assignName = null;
        return r.Valid;
    }

    /// <summary>ld/ldexp.c <c>update_definedness</c>, and section_for_dot for symbols set from "." outside sections.</summary>
    private void UpdateDefinedness(string name, LinkSymbol h, Value r)
    {
        if (!_definedness.TryGetValue(name, out var d))
        {
            d = new Definedness();
            _definedness[name] = d;
        }

        if (!h.ScriptDefined && h.State is LinkSymbolState.Defined or LinkSymbolState.DefinedWeak or LinkSymbolState.Common)
        {
            d.ByObject = true;
        }

        d.Iteration = _iteration;
        d.FinalSection = null;
        if (_phase == Phase.Final && _relFromAbs && r.Kind == RefKind.Abs)
        {
            d.FinalSection = SectionForDot();
        }
    }

    /// <summary>ld/ldlang.c <c>section_for_dot</c>: the output section a symbol assigned from "." outside any
    /// output section becomes relative to (the previous allocated one, or the next after a dot assignment).</summary>
    private OutputSection? SectionForDot()
    {
        if (_currentSection is null || _preferNextSection)
        {
            OutputStatement? os = null;
            if (_currentAssignList is not null && _currentAssign is not null)
            {
                var i = _currentAssignList.IndexOf(_currentAssign);
                for (var k = i; k >= 0 && k < _currentAssignList.Count; k++)
                {
                    if (_currentAssignList[k] is OutputStatement found)
                    {
                        os = found;
                        break;
                    }
                }
            }

            var oi = os is null ? -1 : _ctx.OsList.IndexOf(os);
            while (oi >= 0 && oi < _ctx.OsList.Count && !_ctx.OsList[oi].AfterEnd && _ctx.OsList[oi].Section is null)
            {
                oi++;
            }

            os = oi >= 0 && oi < _ctx.OsList.Count ? _ctx.OsList[oi] : null;
            if (_currentSection is null || os is null || !os.AfterEnd)
            {
                if (os is { Section: null })
                {
                    return null;
                }

                var si = os?.Section is { } s0 ? _ctx.Sections.IndexOf(s0) : _ctx.Sections.Count - 1;
                while (si >= 0 && ((_ctx.Sections[si].Flags & SectionFlags.Alloc) == 0 || (_ctx.Sections[si].Flags & SectionFlags.ThreadLocal) != 0))
                {
                    si--;
                }

                return si >= 0 ? _ctx.Sections[si] : null;
            }
        }

        var idx = _ctx.Sections.IndexOf(_currentSection!.Section!);
        while (idx >= 0 && ((_ctx.Sections[idx].Flags & SectionFlags.Alloc) == 0 || (_ctx.Sections[idx].Flags & SectionFlags.ThreadLocal) != 0))
        {
            idx--;
        }

        if (idx < 0)
        {
            idx = 0;
            while (idx < _ctx.Sections.Count && ((_ctx.Sections[idx].Flags & SectionFlags.Alloc) == 0 || (_ctx.Sections[idx].Flags & SectionFlags.ThreadLocal) != 0))
            {
                idx++;
            }
        }

        return idx < _ctx.Sections.Count ? _ctx.Sections[idx] : null;
    }

    /// <summary>ld/ldexp.c <c>ldexp_finalize_syms</c>.</summary>
    private void FinalizeScriptSymbols()
    {
        foreach (var (name, d) in _definedness)
        {
            if (d.FinalSection is not { } sec)
            {
                continue;
            }

            var h = _ctx.Symbols.Find(name);
            if (h is { State: LinkSymbolState.Defined, ScriptDefined: true, IsAbsolute: true })
            {
                h.Value -= sec.Address;
                h.ScriptSection = sec;
                h.IsAbsolute = false;
            }
        }
    }

    // ------------------------------------------------------------------ folding (ld/ldexp.c)

    private Value Fold(E e)
    {
        switch (e)
        {
            case E.Number n:
                return _ctxKind == RefKind.Abs ? new Value(true, n.Value, RefKind.Abs) : new Value(true, n.Value, RefKind.Number);
            case E.Symbol { IsDot: true }:
                if (!_haveDot)
                {
                    return Value.Invalid;
                }

                _relFromAbs = true;
                return new Value(true, _dot - ContextBase, _ctxKind, _ctxSection);
            case E.Symbol s:
                return FoldName(s);
            case E.Unary u:
                return FoldUnary(u);
            case E.Binary b:
                return FoldBinary(b);
            case E.Conditional c:
            {
                var (saveSrc, saveMany) = (_assignSrc, _assignSrcMany);
                var cond = Fold(c.Condition);
                (_assignSrc, _assignSrcMany) = (saveSrc, saveMany);
                return cond.Valid ? Fold(cond.V != 0 ? c.Then : c.Else) : cond;
            }

            case E.NameFunction f:
                return FoldFunction(f);
            default:
                throw new InvalidOperationException($"unknown expression {e}");
        }
    }

    private Value FoldName(E.Symbol s)
    {
        var h = _ctx.Symbols.GetOrAdd(s.Name, () => new LinkSymbol(s.Name));
        Value result;
        if (h.IsDefined)
        {
            result = SymbolValue(h, s);
        }
        else
        {
            if (_phase == Phase.Final || (_phase != Phase.Mark && _assigningToDot))
            {
                throw ScriptErrors.Evaluation(s.Location, $"undefined symbol `{s.Name}' referenced in expression");
            }

            if (h.State == LinkSymbolState.New)
            {
                h.State = LinkSymbolState.Undefined;
                h.ReferencedByScript = true;
            }

            result = Value.Invalid;
        }

        if (_assignSrc is null && !_assignSrcMany)
        {
            _assignSrc = h;
        }
        else
        {
            _assignSrcMany = true;
        }

        if (_assignName == s.Name &&
            !(h.IsDefined && h.ScriptDefined && h.IsAbsolute && _definedness.TryGetValue(s.Name, out var d) && d.Iteration == _iteration))
        {
            _assignName = null;
        }

        return result;
    }

    private Value SymbolValue(LinkSymbol h, E.Symbol s)
    {
        if (h.ScriptDefined)
        {
            if (h.ScriptSection is { } os)
            {
                return new Value(true, h.Value, RefKind.Section, os);
            }

            return _ctxKind != RefKind.Abs ? new Value(true, h.Value, RefKind.Number) : new Value(true, h.Value, RefKind.Abs);
        }

        if (h.Section is null)
        {
            return _ctxKind != RefKind.Abs ? new Value(true, h.Value, RefKind.Number) : new Value(true, h.Value, RefKind.Abs);
        }

        var sec = h.Section;
        if (!sec.Assigned)
        {
            if (_phase == Phase.Mark)
            {
                return new Value(true, h.Value, RefKind.Number);
            }

            throw ScriptErrors.Evaluation(s.Location, $"unresolvable symbol `{s.Name}' referenced in expression");
        }

        if (sec.Output is null)
        {
            return _ctxKind != RefKind.Abs ? new Value(true, h.Value + sec.OutputOffset, RefKind.Number) : new Value(true, h.Value + sec.OutputOffset, RefKind.Abs);
        }

        return new Value(true, h.Value + sec.OutputOffset, RefKind.Section, sec.Output);
    }

    private Value FoldUnary(E.Unary u)
    {
        var r = Fold(u.Operand);
        if (!r.Valid)
        {
            return r;
        }

        switch (u.Op)
        {
            case "ALIGN":
                if (!_haveDot)
                {
                    return Value.Invalid;
                }

                _relFromAbs = true;
                return new Value(true, AlignN(_dot, r.V) - ContextBase, _ctxKind, _ctxSection);
            case "ABSOLUTE":
                return MakeAbs(r);
            case "LOG2CEIL":
            {
                var v = r.V;
                var result = unchecked((ulong)-1);
                var roundUp = false;
                do
                {
                    result++;
                    if (v > 1 && (v & 1) != 0)
                    {
                        roundUp = true;
                    }
                }
                while ((v >>= 1) != 0);

                return new Value(true, roundUp ? result + 1 : result, RefKind.Number);
            }

            case "NEXT":
                if (!_haveDot)
                {
                    return Value.Invalid;
                }

                var abs = MakeAbs(r);
                return abs with { V = AlignN(_dot, abs.V) };
            case "~":
                return r with { V = ~r.V };
            case "!":
                return r with { V = r.V == 0 ? 1UL : 0UL };
            case "-":
                return r with { V = unchecked(0 - r.V) };
            default:
                throw new InvalidOperationException($"unknown unary operator {u.Op}");
        }
    }

    private Value MakeAbs(Value r)
    {
        _relFromAbs = false;
        return new Value(r.Valid, r.V + r.Base, RefKind.Abs);
    }

    private Value FoldBinary(E.Binary b)
    {
        var lhs = Fold(b.Left);
        var rhs = Fold(b.Right);
        if (!lhs.Valid || !rhs.Valid)
        {
            return Value.Invalid;
        }

        // ld/ldexp.c fold_binary: values of two different sections are both made absolute; a plain number takes
        // the other operand's section (and the left operand is then treated as the plain one).
        if (!SameRef(lhs, rhs))
        {
            if (rhs.Kind != RefKind.Number && lhs.Kind != RefKind.Number)
            {
                rhs = MakeAbs(rhs);
                lhs = new Value(true, lhs.V + lhs.Base, RefKind.Abs);
            }
            else if (rhs.Kind == RefKind.Number)
            {
                rhs = rhs with { Kind = lhs.Kind, Section = lhs.Section };
                lhs = lhs with { Kind = RefKind.Number, Section = null };
            }
        }

        ulong l = lhs.V, r = rhs.V;
        switch (b.Op)
        {
            case "+": return Arith(lhs, rhs, unchecked(l + r));
            case "-": return Arith(lhs, rhs, unchecked(l - r));
            case "*": return Arith(lhs, rhs, unchecked(l * r));
            case "<<": return Arith(lhs, rhs, r >= 64 ? 0 : l << (int)r);
            case ">>": return Arith(lhs, rhs, r >= 64 ? 0 : l >> (int)r);
            case "&": return Arith(lhs, rhs, l & r);
            case "^": return Arith(lhs, rhs, l ^ r);
            case "|": return Arith(lhs, rhs, l | r);
            case "/":
            case "%":
                if (r == 0)
                {
                    if (_phase != Phase.Mark)
                    {
                        throw ScriptErrors.Evaluation(b.Right.Location, $"{b.Op} by zero");
                    }

                    return Arith(lhs, rhs, r);
                }

                return Arith(lhs, rhs, b.Op == "/" ? (ulong)((long)l / (long)r) : (ulong)((long)l % (long)r));
            case "==": return new Value(true, l == r ? 1UL : 0UL, RefKind.Number);
            case "!=": return new Value(true, l != r ? 1UL : 0UL, RefKind.Number);
            case "<": return new Value(true, l < r ? 1UL : 0UL, RefKind.Number);
            case ">": return new Value(true, l > r ? 1UL : 0UL, RefKind.Number);
            case "<=": return new Value(true, l <= r ? 1UL : 0UL, RefKind.Number);
            case ">=": return new Value(true, l >= r ? 1UL : 0UL, RefKind.Number);
            case "&&": return new Value(true, l != 0 && r != 0 ? 1UL : 0UL, RefKind.Number);
            case "||": return new Value(true, l != 0 || r != 0 ? 1UL : 0UL, RefKind.Number);
            case "MAX": return rhs with { V = Math.Max(l, r) };
            case "MIN": return rhs with { V = Math.Min(l, r) };
            case "ALIGN": return rhs with { V = AlignN(l, r) };
            default:
                throw new InvalidOperationException($"unknown binary operator {b.Op}");
        }
    }

    private static bool SameRef(Value a, Value b) => a.Kind == b.Kind && ReferenceEquals(a.Section, b.Section);

    /// <summary>ld/ldexp.c <c>arith_result_section</c>: when both operands have the same section the result is a
    /// plain number (absolute at the top level, where ld is not in its "sane" expression mode).</summary>
    private Value Arith(Value lhs, Value rhs, ulong v)
    {
        if (SameRef(lhs, rhs))
        {
            return _ctxKind == RefKind.Abs ? new Value(true, v, RefKind.Abs) : new Value(true, v, RefKind.Number);
        }

        return rhs with { V = v };
    }

    private Value FoldFunction(E.NameFunction f)
    {
        switch (f.Function)
        {
            case "DEFINED":
            {
                var h = _ctx.Symbols.Find(f.Argument);
                var defined = h is not null && h.State is LinkSymbolState.Defined or LinkSymbolState.DefinedWeak or LinkSymbolState.Common &&
                              (!h.ScriptDefined || !_definedness.TryGetValue(f.Argument, out var d) || d.ByObject || d.Iteration == _iteration);
                return new Value(true, defined ? 1UL : 0UL, RefKind.Number);
            }

            case "CONSTANT":
                return new Value(true, f.Argument == "MAXPAGESIZE" ? MaxPageSize : CommonPageSize, RefKind.Number);
            case "ADDR":
            case "LOADADDR":
            {
                var os = SectionOperand(f);
                if (os is null)
                {
                    return Value.Invalid;
                }

                if (!os.ProcessedVma || os.Section is null)
                {
                    return Value.Invalid;
                }

                return f.Function == "ADDR"
                    ? new Value(true, 0, RefKind.Section, os.Section)
                    : new Value(true, os.Section.Address, RefKind.Abs);
            }

            case "SIZEOF":
            case "ALIGNOF":
            {
                var os = SectionOperand(f);
                if (os is null)
                {
                    return new Value(true, 0, RefKind.Number);
                }

                if (os.Section is not { } o)
                {
                    return new Value(true, 0, RefKind.Number);
                }

                var v = f.Function == "SIZEOF" ? (os.ProcessedVma ? o.Size : 0) : 1UL << o.AlignmentPower;
                return new Value(true, v, RefKind.Number);
            }

            default:
                throw new InvalidOperationException($"unknown function {f.Function}");
        }
    }

    /// <summary>The psABI page sizes GNU ld uses for CONSTANT(MAXPAGESIZE/COMMONPAGESIZE).</summary>
    private ulong MaxPageSize => _ctx.Identity?.Machine switch
    {
        ElfMachine.AArch64 or ElfMachine.Arm or ElfMachine.Ppc64 or ElfMachine.Mips => 0x10000,
        _ => 0x1000,
    };

    /// <summary>The output section ADDR/SIZEOF/ALIGNOF/LOADADDR name; one that does not exist is an error in the
    /// final phase only, as in ld/ldexp.c <c>fold_name</c>.</summary>
    private OutputStatement? SectionOperand(ScriptExpression.NameFunction f)
    {
        var os = _ctx.FindOs(f.Argument);
        if (os is null && _phase == Phase.Final)
        {
            throw ScriptErrors.Evaluation(f.Location, $"undefined section `{f.Argument}' referenced in expression");
        }

        return os;
    }

    private static ulong CommonPageSize => 0x1000;
}
