using DynDbg.ElfSim.Elf;
using E = DynDbg.ElfSim.Linking.ScriptExpression;

namespace DynDbg.ElfSim.Linking;

/// <summary>
/// ld/ldexp.c: folds script expressions and runs assignments (<c>exp_fold_tree</c>, <c>fold_name</c>,
/// <c>fold_binary</c>, <c>exp_get_vma</c>, <c>update_definedness</c>, <c>ldexp_finalize_syms</c>) against the
/// link's hash table and output sections. The layout passes of ld/ldlang.c drive it: each pass starts with
/// <see cref="BeginPass"/>, which gives it a fresh <see cref="AddressState"/> (lld's per-pass state), and the pass
/// keeps that state's section_for_dot fields current. The expression context of one fold (ld's <c>expld</c>) is
/// a struct too, set for the length of a fold by a disposable scope.
/// </summary>
internal sealed class ExpressionEvaluator(LinkContext ctx)
{
    /// <summary>What an expression is relative to (ld's expld.result.section): a plain number, the absolute
    /// section, an output section, or nothing defined (an assignment inside a statement without a section).</summary>
    internal enum RefKind
    {
        Number,
        Abs,
        Section,
        Undefined,
    }

    /// <summary>A folded value (ld's etree_value_type): whether it is known, the number, and what it is relative to.</summary>
    internal readonly record struct Value(bool Valid, ulong V, RefKind Kind, OutputSection? Section = null)
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

    /// <summary>ld/ldexp.h <c>struct ldexp_control</c> (expld), the part this emulation uses: the location counter and
    /// the section it is relative to, rel_from_abs, and what an assignment being folded has seen so far.</summary>
    private struct Expld
    {
        public ulong Dot;
        public bool HaveDot;
        public RefKind Kind;
        public OutputSection? Section;
        public bool RelFromAbs;
        public string? AssignName;
        public LinkSymbol? AssignSrc;
        public bool AssignSrcMany;
        public bool AssigningToDot;
    }

    private readonly Dictionary<string, Definedness> _definedness = new(StringComparer.Ordinal);
    private readonly HashSet<ScriptStatement.Assignment> _provided = [];
    private AddressState _state;
    private Expld _expld;

    private ulong ContextBase => _expld.Kind == RefKind.Section ? _expld.Section!.Address : 0;

    /// <summary>The state of the pass under way; the layout pass updates its section_for_dot fields.</summary>
    public ref AddressState State => ref _state;

    /// <summary>Starts a pass of lang_size_sections or lang_do_assignments: expld.phase is set, lang_statement_iteration
    /// goes up by one, and the rest of the per-pass state starts afresh.</summary>
    public void BeginPass(LayoutPhase phase) => _state = new AddressState(phase, _state.Iteration + 1);

    /// <summary>
    /// ld/ldlang.c <c>open_input_bfds</c> folding an assignment where it stands among the inputs (lang_first_phase_enum).
    /// A PROVIDE whose symbol the files loaded so far leave undefined (and whose value does not mention it) is
    /// "provided" for good, and then defines the symbol even over a later weak definition. Any other symbol
    /// assignment creates the hash entries of the names it reads and of its target here, before the command line's
    /// files: that creation order is the order of the output's globals.
    /// </summary>
    public void FoldFirstPhase(ScriptStatement.Assignment a)
    {
        LinkSymbol? h = null;
        if (a.Provide)
        {
            h = ctx.Symbols.Find(a.Target);
            if (h is not { State: LinkSymbolState.New or LinkSymbolState.Undefined or LinkSymbolState.UndefinedWeak } || a.Value.Mentions(a.Target))
            {
                return;
            }

            _provided.Add(a);
        }
        else if (a.IsDot)
        {
            return; // a dot assignment's value is not folded in the first phase (measured against ld 2.40)
        }

        // exp_fold_tree_1's etree_assign: the value first (creating the names it reads), then, unless it read the
        // target, the target's hash entry, defined with the value or a faked zero when new. Only the entries' creation
        // order (bfd's hash traversal, the output's global order) and what DEFINED sees later in this phase are kept:
        // the definitions themselves are made again by the later phases.
        var value = FirstPhaseFold(a.Value);
        if (a.Value.Mentions(a.Target))
        {
            return;
        }

        h ??= ctx.Symbols.GetOrAdd(a.Target, static n => new LinkSymbol(n));
        if (value is not null || h.State == LinkSymbolState.New)
        {
            _firstPhaseValues[a.Target] = value ?? 0;
        }
    }

    /// <summary>Script symbols the first phase defined, with their values there (a faked zero for an invalid value).</summary>
    private readonly Dictionary<string, ulong> _firstPhaseValues = new(StringComparer.Ordinal);

    /// <summary>
    /// exp_fold_tree_no_dt in lang_first_phase_enum, as far as it creates hash entries: a name read is created (and a
    /// new one made undefined, as fold_name does in every phase); both operands of an operator are folded; a condition
    /// picks one branch when valid and none otherwise. Valid here: numbers, <c>.</c> (0, no dot yet), CONSTANT,
    /// DEFINED, and symbols defined so far (an input's st_value, or the first phase's own value); ADDR, SIZEOF and the
    /// like are not, nor ALIGN (x) and NEXT (checked against ld 2.40). A zero divisor of valid operands is fatal here
    /// as in fold_binary. Returns the value, or null when invalid.
    /// </summary>
    private ulong? FirstPhaseFold(E e)
    {
        switch (e)
        {
            case E.Number n:
                return n.Value;
            case E.Symbol { IsDot: true }:
                return 0;
            case E.Symbol s:
            {
                var h = ctx.Symbols.GetOrAdd(s.Name, static n => new LinkSymbol(n));
                if (_firstPhaseValues.TryGetValue(s.Name, out var v))
                {
                    return v;
                }

                if (h.IsDefined)
                {
                    return h.Value;
                }

                if (h.State == LinkSymbolState.New)
                {
                    h.State = LinkSymbolState.Undefined;
                    h.ReferencedByScript = true;
                }

                return null;
            }

            case E.Unary u:
                return FirstPhaseFold(u.Operand) is not { } x ? null : u.Op switch
                {
                    "ABSOLUTE" => x,
                    "ALIGN" or "NEXT" => null, // fold_unary: neither is valid in lang_first_phase_enum
                    _ => UnaryNumber(u.Op, x),
                };

            case E.Binary b:
            {
                var l = FirstPhaseFold(b.Left);
                var r = FirstPhaseFold(b.Right);
                if (l is not { } lv || r is not { } rv)
                {
                    return null;
                }

                return FoldBinaryFatal(b, lv, rv); // fatal in every phase but the mark phase, this one included
            }

            case E.Conditional c:
                return FirstPhaseFold(c.Condition) is { } cond ? FirstPhaseFold(cond != 0 ? c.Then : c.Else) : null;
            case E.NameFunction { Function: "DEFINED" } f:
                return ctx.Symbols.Find(f.Argument) is { } d &&
                       (d.State is LinkSymbolState.Defined or LinkSymbolState.DefinedWeak or LinkSymbolState.Common || _firstPhaseValues.ContainsKey(f.Argument))
                    ? 1UL : 0UL;
            case E.NameFunction { Function: "CONSTANT" } f:
                return f.Argument == "MAXPAGESIZE" ? MaxPageSize : CommonPageSize;
            default:
                return null;
        }
    }

    /// <summary>ld/ldexp.c <c>exp_fold_tree</c> with the context of <paramref name="current"/> (the absolute section
    /// at the top level, else the statement's output section, or none yet).</summary>
    public Value FoldTree(E e, OutputStatement current, ulong dot) => EvalIn(e, ContextOf(current), current.Section, dot);

    /// <summary>ld/ldexp.c <c>exp_fold_tree</c> with bfd_abs_section_ptr as the context.</summary>
    public Value FoldTreeAbs(E e, ulong dot) => EvalIn(e, RefKind.Abs, null, dot);

    private static ulong AlignN(ulong value, ulong align) => align <= 1 ? value : (value + align - 1) / align * align;

    private static RefKind ContextOf(OutputStatement current) =>
        current.IsAbs ? RefKind.Abs : current.Section is null ? RefKind.Undefined : RefKind.Section;

    /// <summary>Evaluates <paramref name="e"/> with ld's expld context set to <paramref name="kind"/>/<paramref name="section"/>.</summary>
    private Value EvalIn(E e, RefKind kind, OutputSection? section, ulong dot)
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
        var scope = new ContextScope(this, _expld.Kind, _expld.Section, _expld.Dot, _expld.HaveDot);
        (_expld.Kind, _expld.Section, _expld.Dot, _expld.HaveDot, _expld.RelFromAbs) = (kind, section, dot, haveDot, false);
        return scope;
    }

    private readonly struct ContextScope(ExpressionEvaluator evaluator, RefKind kind, OutputSection? section, ulong dot, bool haveDot) : IDisposable
    {
        public void Dispose() => (evaluator._expld.Kind, evaluator._expld.Section, evaluator._expld.Dot, evaluator._expld.HaveDot) = (kind, section, dot, haveDot);
    }

    /// <summary>exp_get_vma: a constant expression, evaluated without a location counter.</summary>
    public ulong EvalConstant(E e, string what)
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

    /// <summary>ld/ldexp.c <c>exp_fold_tree_1</c> for an assignment statement (etree_assign, etree_provide) in the
    /// context of <paramref name="current"/>: a dot assignment moves <paramref name="dot"/>, a symbol assignment
    /// defines the symbol; what the final pass computed stays on the node for the map.</summary>
    public void Assign(AssignmentNode node, OutputStatement current, ref ulong dot)
    {
        var a = node.Source;
        using (EnterContext(ContextOf(current), current.Section, dot, haveDot: true))
        {
            if (a.IsDot)
            {
                node.FinalValid = AssignDot(a, ref dot, out var printed);
                node.FinalDot = printed;
            }
            else
            {
                node.FinalValid = AssignSymbol(a, out var selfReference);
                node.SelfReference = selfReference;
            }
        }
    }

    /// <summary>Moves dot. <paramref name="printed"/> is what ld/ldlang.c print_assignment shows for it: the folded
    /// value plus its section's vma, so a plain number inside an output section (<c>. = 0x10</c>) is printed as
    /// that number, though dot becomes the section's address plus it (exp_fold_tree_1, etree_assign).</summary>
    private bool AssignDot(ScriptStatement.Assignment a, ref ulong dot, out ulong printed)
    {
        printed = 0;
        if (a.Provide)
        {
            throw ScriptErrors.Evaluation(a.Location, "can not PROVIDE assignment to location counter");
        }

        _expld.AssigningToDot = true;
        Value r;
        try
        {
            r = Fold(a.Value);
        }
        finally
        {
            _expld.AssigningToDot = false;
        }

        if (!r.Valid || _expld.Kind == RefKind.Undefined)
        {
            if (_state.Phase != LayoutPhase.Mark)
            {
                throw ScriptErrors.Evaluation(a.Location, "invalid assignment to location counter");
            }

            return false;
        }

        var value = r.V + (r.Kind == RefKind.Number ? ContextBase : r.Base);
        printed = r.V + r.Base;
        if (_state.Phase <= LayoutPhase.Allocating || _expld.Kind == RefKind.Abs)
        {
            var next = value;
            if (next < _expld.Dot && _expld.Kind != RefKind.Abs)
            {
                throw ScriptErrors.Evaluation(a.Location, $"cannot move location counter backwards (from {_expld.Dot:x16} to {next:x16})");
            }

            _expld.Dot = next;
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
            h = ctx.Symbols.Find(a.Target);
            if (h is null || !(h.State is LinkSymbolState.New or LinkSymbolState.Undefined or LinkSymbolState.UndefinedWeak))
            {
                return false;
            }
        }

        _expld.AssignName = a.Target;
        _expld.AssignSrc = null;
        _expld.AssignSrcMany = false;
        var r = Fold(a.Value);
        selfReference = _expld.AssignName is null;
        if (_state.Phase == LayoutPhase.Final || _expld.AssignName is not null)
        {
            if (a.Provide)
            {
                _provided.Add(a);
            }

            h ??= ctx.Symbols.GetOrAdd(a.Target, static n => new LinkSymbol(n));
            if (!r.Valid && h.State == LinkSymbolState.New)
            {
                r = new Value(true, 0, RefKind.Number);
            }

            if (r.Valid)
            {
                if (r.Kind == RefKind.Number)
                {
                    r = r with { Kind = _expld.Kind, Section = _expld.Section };
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

                if (_expld.AssignSrc is { } src && !_expld.AssignSrcMany)
                {
                    h.Type = src.Type;
                }
            }
        }

        _expld.AssignName = null;
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

        d.Iteration = _state.Iteration;
        d.FinalSection = null;
        if (_state.Phase == LayoutPhase.Final && _expld.RelFromAbs && r.Kind == RefKind.Abs)
        {
            d.FinalSection = SectionForDot();
        }
    }

    /// <summary>ld/ldlang.c <c>section_for_dot</c>: the output section a symbol assigned from "." outside any
    /// output section becomes relative to (the previous allocated one, or the next after a dot assignment).</summary>
    private OutputSection? SectionForDot()
    {
        if (_state.CurrentSection is null || _state.PreferNextSection)
        {
            OutputStatement? os = null;
            if (_state.CurrentAssignList is not null && _state.CurrentAssign is not null)
            {
                var i = _state.CurrentAssignList.IndexOf(_state.CurrentAssign);
                for (var k = i; k >= 0 && k < _state.CurrentAssignList.Count; k++)
                {
                    if (_state.CurrentAssignList[k] is OutputStatement found)
                    {
                        os = found;
                        break;
                    }
                }
            }

            var oi = os is null ? -1 : ctx.OsList.IndexOf(os);
            while (oi >= 0 && oi < ctx.OsList.Count && !ctx.OsList[oi].AfterEnd && ctx.OsList[oi].Section is null)
            {
                oi++;
            }

            os = oi >= 0 && oi < ctx.OsList.Count ? ctx.OsList[oi] : null;
            if (_state.CurrentSection is null || os is null || !os.AfterEnd)
            {
                if (os is { Section: null })
                {
                    return null;
                }

                var si = os?.Section is { } s0 ? ctx.Sections.IndexOf(s0) : ctx.Sections.Count - 1;
                while (si >= 0 && ((ctx.Sections[si].Flags & SectionFlags.Alloc) == 0 || (ctx.Sections[si].Flags & SectionFlags.ThreadLocal) != 0))
                {
                    si--;
                }

                return si >= 0 ? ctx.Sections[si] : null;
            }
        }

        var idx = ctx.Sections.IndexOf(_state.CurrentSection!.Section!);
        while (idx >= 0 && ((ctx.Sections[idx].Flags & SectionFlags.Alloc) == 0 || (ctx.Sections[idx].Flags & SectionFlags.ThreadLocal) != 0))
        {
            idx--;
        }

        if (idx < 0)
        {
            idx = 0;
            while (idx < ctx.Sections.Count && ((ctx.Sections[idx].Flags & SectionFlags.Alloc) == 0 || (ctx.Sections[idx].Flags & SectionFlags.ThreadLocal) != 0))
            {
                idx++;
            }
        }

        return idx < ctx.Sections.Count ? ctx.Sections[idx] : null;
    }

    /// <summary>ld/ldexp.c <c>ldexp_finalize_syms</c>.</summary>
    public void FinalizeScriptSymbols()
    {
        foreach (var (name, d) in _definedness)
        {
            if (d.FinalSection is not { } sec)
            {
                continue;
            }

            var h = ctx.Symbols.Find(name);
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
                return _expld.Kind == RefKind.Abs ? new Value(true, n.Value, RefKind.Abs) : new Value(true, n.Value, RefKind.Number);
            case E.Symbol { IsDot: true }:
                if (!_expld.HaveDot)
                {
                    return Value.Invalid;
                }

                _expld.RelFromAbs = true;
                return new Value(true, _expld.Dot - ContextBase, _expld.Kind, _expld.Section);
            case E.Symbol s:
                return FoldName(s);
            case E.Unary u:
                return FoldUnary(u);
            case E.Binary b:
                return FoldBinary(b);
            case E.Conditional c:
            {
                var (saveSrc, saveMany) = (_expld.AssignSrc, _expld.AssignSrcMany);
                var cond = Fold(c.Condition);
                (_expld.AssignSrc, _expld.AssignSrcMany) = (saveSrc, saveMany);
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
        var h = ctx.Symbols.GetOrAdd(s.Name, static n => new LinkSymbol(n));
        Value result;
        if (h.IsDefined)
        {
            result = SymbolValue(h, s);
        }
        else
        {
            if (_state.Phase == LayoutPhase.Final || (_state.Phase != LayoutPhase.Mark && _expld.AssigningToDot))
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

        if (_expld.AssignSrc is null && !_expld.AssignSrcMany)
        {
            _expld.AssignSrc = h;
        }
        else
        {
            _expld.AssignSrcMany = true;
        }

        if (_expld.AssignName == s.Name &&
            !(h.IsDefined && h.ScriptDefined && h.IsAbsolute && _definedness.TryGetValue(s.Name, out var d) && d.Iteration == _state.Iteration))
        {
            _expld.AssignName = null;
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

            return _expld.Kind != RefKind.Abs ? new Value(true, h.Value, RefKind.Number) : new Value(true, h.Value, RefKind.Abs);
        }

        if (h.Section is null)
        {
            return _expld.Kind != RefKind.Abs ? new Value(true, h.Value, RefKind.Number) : new Value(true, h.Value, RefKind.Abs);
        }

        var sec = h.Section;
        if (!sec.Assigned)
        {
            if (_state.Phase == LayoutPhase.Mark)
            {
                return new Value(true, h.Value, RefKind.Number);
            }

            throw ScriptErrors.Evaluation(s.Location, $"unresolvable symbol `{s.Name}' referenced in expression");
        }

        if (sec.Output is null)
        {
            return _expld.Kind != RefKind.Abs ? new Value(true, h.Value + sec.OutputOffset, RefKind.Number) : new Value(true, h.Value + sec.OutputOffset, RefKind.Abs);
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
                if (!_expld.HaveDot)
                {
                    return Value.Invalid;
                }

                _expld.RelFromAbs = true;
                return new Value(true, AlignN(_expld.Dot, r.V) - ContextBase, _expld.Kind, _expld.Section);
            case "ABSOLUTE":
                return MakeAbs(r);
            case "LOG2CEIL":
                return new Value(true, UnaryNumber(u.Op, r.V), RefKind.Number);

            case "NEXT":
                if (!_expld.HaveDot)
                {
                    return Value.Invalid;
                }

                var abs = MakeAbs(r);
                return abs with { V = AlignN(_expld.Dot, abs.V) };
            default:
                return r with { V = UnaryNumber(u.Op, r.V) };
        }
    }

    /// <summary>
    /// ld/ldexp.c <c>exp_binop</c>, <c>exp_unop</c>, <c>exp_trinop</c> (<c>exp_value_fold</c>): an operator whose
    /// operands are all numbers is folded while the script is parsed (lang_first_phase_enum, no dot) and becomes
    /// that number. ALIGN (either form), ABSOLUTE and NEXT are never folded; names never are (<c>exp_nameop</c>),
    /// so <c>CONSTANT (MAXPAGESIZE) + 1</c> stays a tree. The map then prints the number (<c>0x1?ssca:0x1</c>),
    /// and a zero divisor is fatal at parse time, even in a branch that would never be taken.
    /// </summary>
    internal static E ExpValueFold(E e) => e switch
    {
        E.Binary { Op: not "ALIGN", Left: E.Number l, Right: E.Number r } b => FoldedNumber(FoldBinaryFatal(b, l.Value, r.Value), l.Location),
        E.Unary { Op: not ("ALIGN" or "ABSOLUTE" or "NEXT"), Operand: E.Number x } u => FoldedNumber(UnaryNumber(u.Op, x.Value), x.Location),
        E.Conditional { Condition: E.Number c, Then: E.Number t, Else: E.Number f } => FoldedNumber(c.Value != 0 ? t.Value : f.Value, c.Location),
        _ => e,
    };

    // The folded node keeps its first operand's file and line (new_e->type.lineno = lhs->type.lineno).
    private static E.Number FoldedNumber(ulong v, ScriptLocation at) => new(v, $"0x{v:x}", at);

    /// <summary>ld/ldexp.c fold_unary's arithmetic for the operators that need no location counter.</summary>
    internal static ulong UnaryNumber(string op, ulong x)
    {
        switch (op)
        {
            case "~":
                return ~x;
            case "!":
                return x == 0 ? 1UL : 0UL;
            case "-":
                return unchecked(0 - x);
            case "LOG2CEIL":
            {
                var result = unchecked((ulong)-1);
                var roundUp = false;
                do
                {
                    result++;
                    if (x > 1 && (x & 1) != 0)
                    {
                        roundUp = true;
                    }
                }
                while ((x >>= 1) != 0);

                return roundUp ? result + 1 : result;
            }

            default:
                throw new InvalidOperationException($"unknown unary operator {op}");
        }
    }

    private Value MakeAbs(Value r)
    {
        _expld.RelFromAbs = false;
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
        if (b.Op is "/" or "%" && r == 0)
        {
            if (_state.Phase != LayoutPhase.Mark)
            {
                throw ZeroDivisor(b);
            }

            return Arith(lhs, rhs, r);
        }

        var v = BinaryNumber(b.Op, l, r, b.Location);
        return b.Op switch
        {
            "==" or "!=" or "<" or ">" or "<=" or ">=" or "&&" or "||" => new Value(true, v, RefKind.Number),
            "MAX" or "MIN" or "ALIGN" => rhs with { V = v },
            _ => Arith(lhs, rhs, v),
        };
    }

    /// <summary>fold_binary where a zero divisor is fatal (every phase but the mark phase): ld's "/ by zero" or
    /// "% by zero", at the divisor.</summary>
    private static ulong FoldBinaryFatal(E.Binary b, ulong l, ulong r) =>
        b.Op is "/" or "%" && r == 0 ? throw ZeroDivisor(b) : BinaryNumber(b.Op, l, r, b.Location);

    private static LinkException ZeroDivisor(E.Binary b) => ScriptErrors.Evaluation(b.Right.Location, $"{b.Op} by zero");

    /// <summary>ld/ldexp.c fold_binary's arithmetic (signed division, as bfd_signed_vma); a zero divisor is the
    /// caller's to handle. Shifts take the count modulo 64 as the x86-64 host's shl/shr do (ld.bfd 2.40 on amd64:
    /// 1 &lt;&lt; 65 is 2), which C#'s shifts of a 64-bit value do too. The one division that overflows,
    /// 0x8000000000000000 / -1 (or %), kills ld.bfd with SIGFPE; here it is one line.</summary>
    internal static ulong BinaryNumber(string op, ulong l, ulong r, ScriptLocation at) => op switch
    {
        "+" => unchecked(l + r),
        "-" => unchecked(l - r),
        "*" => unchecked(l * r),
        "<<" => l << (int)(r & 63),
        ">>" => l >> (int)(r & 63),
        "&" => l & r,
        "^" => l ^ r,
        "|" => l | r,
        "/" or "%" when l == 0x8000000000000000 && r == ulong.MaxValue => throw ScriptErrors.Evaluation(at,
            $"0x8000000000000000 {op} -1 overflows a signed 64-bit division: ld.bfd 2.40 dies of SIGFPE here (fold_binary), so there is no result to emulate"),
        "/" => (ulong)((long)l / (long)r),
        "%" => (ulong)((long)l % (long)r),
        "==" => l == r ? 1UL : 0UL,
        "!=" => l != r ? 1UL : 0UL,
        "<" => l < r ? 1UL : 0UL,
        ">" => l > r ? 1UL : 0UL,
        "<=" => l <= r ? 1UL : 0UL,
        ">=" => l >= r ? 1UL : 0UL,
        "&&" => l != 0 && r != 0 ? 1UL : 0UL,
        "||" => l != 0 || r != 0 ? 1UL : 0UL,
        "MAX" => Math.Max(l, r),
        "MIN" => Math.Min(l, r),
        "ALIGN" => AlignN(l, r),
        _ => throw new InvalidOperationException($"unknown binary operator {op}"),
    };

    private static bool SameRef(Value a, Value b) => a.Kind == b.Kind && ReferenceEquals(a.Section, b.Section);

    /// <summary>ld/ldexp.c <c>arith_result_section</c>: when both operands have the same section the result is a
    /// plain number (absolute at the top level, where ld is not in its "sane" expression mode).</summary>
    private Value Arith(Value lhs, Value rhs, ulong v)
    {
        if (SameRef(lhs, rhs))
        {
            return _expld.Kind == RefKind.Abs ? new Value(true, v, RefKind.Abs) : new Value(true, v, RefKind.Number);
        }

        return rhs with { V = v };
    }

    private Value FoldFunction(E.NameFunction f)
    {
        switch (f.Function)
        {
            case "DEFINED":
            {
                var h = ctx.Symbols.Find(f.Argument);
                var defined = h is not null && h.State is LinkSymbolState.Defined or LinkSymbolState.DefinedWeak or LinkSymbolState.Common &&
                              (!h.ScriptDefined || !_definedness.TryGetValue(f.Argument, out var d) || d.ByObject || d.Iteration == _state.Iteration);
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

    /// <summary>CONSTANT(MAXPAGESIZE): link_info.maxpagesize, the target's ELF_MAXPAGESIZE as ld 2.40 has it (64 KiB
    /// on aarch64, ppc64 and mips; 4 KiB elsewhere, arm-linux included: measured, PageSizeConstants_AreTheEmulations).</summary>
    private ulong MaxPageSize => ctx.Identity?.Machine switch
    {
        ElfMachine.AArch64 or ElfMachine.Ppc64 or ElfMachine.Mips => 0x10000,
        _ => 0x1000,
    };

    /// <summary>The output section ADDR/SIZEOF/ALIGNOF/LOADADDR name; one that does not exist is an error in the
    /// final phase only, as in ld/ldexp.c <c>fold_name</c>.</summary>
    private OutputStatement? SectionOperand(ScriptExpression.NameFunction f)
    {
        var os = ctx.FindOs(f.Argument);
        if (os is null && _state.Phase == LayoutPhase.Final)
        {
            throw ScriptErrors.Evaluation(f.Location, $"undefined section `{f.Argument}' referenced in expression");
        }

        return os;
    }

    private static ulong CommonPageSize => 0x1000;}
