using DynDbg.ElfSim.Elf;

namespace DynDbg.ElfSim.Linking;

/// <summary>
/// What the parts of one link share (lld's <c>Ctx</c> and <c>LinkerScript</c> lists; ld's <c>link_info</c> and the
/// ldlang.c statement lists): the script and options, the inputs, the statement list with its lists of output
/// statements, the output sections in file order, the global-symbol hash table and the diagnostics gathered for the
/// end of the link. The engine, the expression evaluator, orphan placement, symbol resolution and the relocation
/// collector all work on it; none of them keeps a copy of these lists.
/// </summary>
internal sealed class LinkContext
{
    public LinkContext(LinkerScript script, LinkOptions options)
    {
        Script = script;
        Options = options;
        Abs = new OutputStatement { Name = "*ABS*", IsAbs = true };
        Statements.Add(Abs);
        OsList.Add(Abs);
    }

    public LinkerScript Script { get; }
    public LinkOptions Options { get; }

    /// <summary>The inputs in command-line order.</summary>
    public List<InputObject> Inputs { get; } = [];

    /// <summary>The input bfds in the order ld loaded them (link_info.input_bfds): the final link walks them so.</summary>
    public List<InputObject> LoadOrder { get; } = [];

    /// <summary>The output's ELF identity, from the first input.</summary>
    public ElfIdentity? Identity { get; set; }

    /// <summary>ld's statement list (lang_statement_list), headed by <see cref="Abs"/>.</summary>
    public List<LayoutNode> Statements { get; } = [];

    /// <summary>ld's lang_os_list: the output statements in statement order (orphans are inserted into it).</summary>
    public List<OutputStatement> OsList { get; } = [];

    private readonly List<OutputStatement> _osCreation = [];
    private readonly Dictionary<string, List<OutputStatement>> _osByName = new(StringComparer.Ordinal);

    /// <summary>The output statements in creation order (script order, then orphans as they are made).</summary>
    public IReadOnlyList<OutputStatement> OsCreation => _osCreation;

    /// <summary>Records a new output statement (ld's lang_output_section_statement_newfunc adds it to the name hash).</summary>
    public void AddOs(OutputStatement os)
    {
        _osCreation.Add(os);
        if (!_osByName.TryGetValue(os.Name, out var same))
        {
            _osByName[os.Name] = same = [];
        }

        same.Add(os);
    }

    /// <summary>The statements named <paramref name="name"/>, in creation order: a hash lookup, as ld's, not a scan of every statement.</summary>
    public IReadOnlyList<OutputStatement> OsNamed(string name) => _osByName.TryGetValue(name, out var same) ? same : [];

    /// <summary>The output sections in the order of the output file's section headers.</summary>
    public List<OutputSection> Sections { get; } = [];

    /// <summary>The global-symbol hash table, in bfd's traversal order.</summary>
    public BfdHashOrder<LinkSymbol> Symbols { get; } = new();

    /// <summary>The script's ENTRY symbol, if it names one (the last wins).</summary>
    public string? EntrySymbol { get; set; }

    /// <summary>The <c>*ABS*</c> statement at the head of the statement list (ld's abs_output_section).</summary>
    public OutputStatement Abs { get; }

    /// <summary>The <c>.note.gnu.property</c> merge, when an input has properties.</summary>
    public GnuPropertyMerge? Properties { get; set; }

    /// <summary>What the build-attribute merge did, in words, when inputs differed (explain shows it).</summary>
    public List<string> AttributeLog { get; } = [];

    /// <summary>ASSERTs that failed in the final pass; the first is reported once the layout is done.</summary>
    public List<AssertNode> FailedAsserts { get; } = [];

    /// <summary>lang_output_section_find: the first statement (in creation order) with this name.</summary>
    public OutputStatement? FindOs(string name) => OsNamed(name).FirstOrDefault(o => o.Constraint >= 0);
}
