namespace DynDbg.ElfSim.Linking;

/// <summary>
/// A node of the engine's statement list, GNU ld's <c>lang_statement_union</c>: the script's statements, plus what
/// the link adds to them (the input sections each description matched, orphan output sections, padding). The map
/// is a walk over this list, as ld's is.
/// </summary>
internal abstract class LayoutNode
{
    public ScriptLocation? Location { get; init; }
}

/// <summary>An output section statement (lang_output_section_statement), also the <c>*ABS*</c> one at the head.</summary>
internal sealed class OutputStatement : LayoutNode
{
    public required string Name { get; init; }
    public ScriptExpression? Address { get; set; }
    public ScriptExpression? Align { get; init; }
    public bool NoLoad { get; init; }
    public bool IsAbs { get; init; }
    public bool IsDiscard => Name == "/DISCARD/";

    /// <summary>0, or SPECIAL (1) for orphans that must not merge with a same-named statement.</summary>
    public int Constraint { get; init; }

    public ScriptStatement.OutputSection? Source { get; init; }
    public List<LayoutNode> Children { get; } = [];
    public OutputSection? Section { get; set; }

    /// <summary>Flags ld's orphan code gives statements it knows by name (.text, .data, ...) before they have a section.</summary>
    public SectionFlags HoldFlags { get; set; }

    public bool ProcessedVma { get; set; }

    /// <summary>Set when an assignment to a symbol named (_)*end came before it (ld's after_end).</summary>
    public bool AfterEnd { get; set; }
    public bool UpdateDot { get; set; }

    /// <summary>Set when the statement was made for an orphan.</summary>
    public bool IsOrphan { get; init; }

    public IEnumerable<InputSection> InputSectionsInOrder()
    {
        foreach (var c in Children)
        {
            switch (c)
            {
                case InputSectionNode i:
                    yield return i.Section;
                    break;
                case WildNode w:
                    foreach (var i in w.Children.OfType<InputSectionNode>())
                    {
                        yield return i.Section;
                    }

                    break;
            }
        }
    }

    public override string ToString() => Name;
}

/// <summary>An input section description with what it matched (lang_wild_statement).</summary>
internal sealed class WildNode : LayoutNode
{
    public required ScriptStatement.InputSections Source { get; init; }

    /// <summary>Candidates in input order (file by file, section-header order), from resolve_wilds.</summary>
    public List<(InputSection Section, InputPattern? Pattern)> Matching { get; } = [];

    /// <summary>The input sections this description placed, and padding between them.</summary>
    public List<LayoutNode> Children { get; } = [];
}

/// <summary>An input section placed in an output section (lang_input_section).</summary>
internal sealed class InputSectionNode : LayoutNode
{
    /// <summary>Settable: ld's link-order fixup rewrites which section a slot holds.</summary>
    public required InputSection Section { get; set; }
}

internal sealed class AssignmentNode : LayoutNode
{
    public required ScriptStatement.Assignment Source { get; init; }

    /// <summary>What the final pass computed, for the map: the value ld's print_assignment shows for a dot assignment;
    /// for a symbol, whether it referred to itself (the map then shows its value in brackets).</summary>
    public bool FinalValid { get; set; }

    public ulong FinalDot { get; set; }

    public bool SelfReference { get; set; }
}

/// <summary>BYTE/SHORT/LONG/QUAD/SQUAD: bytes the script writes into the section.</summary>
internal sealed class DataNode : LayoutNode
{
    public required ScriptStatement.Data Source { get; init; }
    public ulong OutputOffset { get; set; }
    public ulong Value { get; set; }
}

internal sealed class AssertNode : LayoutNode
{
    public required ScriptStatement.Assert Source { get; init; }

    public ulong FinalValue { get; set; }
}

/// <summary>Zero bytes the engine inserted for an alignment or a move of the location counter.</summary>
internal sealed class PaddingNode : LayoutNode
{
    public required OutputSection Section { get; init; }
    public ulong OutputOffset { get; set; }
    public ulong Size { get; set; }
}

/// <summary>An input file (ld prints "LOAD file" for it in the map).</summary>
internal sealed class InputFileNode : LayoutNode
{
    public required InputObject File { get; init; }
}

/// <summary>The output file (ld prints "OUTPUT(file format)" for it in the map).</summary>
internal sealed class OutputFileNode : LayoutNode
{
}
