using DynDbg.ElfSim.Elf;

namespace DynDbg.ElfSim.Linking;

/// <summary>
/// The outcome of a link: output sections in file order with their input sections, the output symbol table and
/// relocations, and the statement list the map is printed from. <see cref="ToElf"/> makes the relocatable ELF.
/// The input files must stay open until the output is written (contents are streamed from them).
/// </summary>
public sealed class LinkResult
{
    private readonly Dictionary<InputSection, List<ContentPatch>> _patches;

    internal LinkResult(LinkerScript script, ElfIdentity identity, LinkOptions options, IReadOnlyList<InputObject> inputs,
        IReadOnlyList<InputObject> loadOrder,
        IReadOnlyList<OutputSection> sections, IReadOnlyList<OutputSymbol> symbols, IReadOnlyList<OutputRelocationTable> relocations,
        IReadOnlyList<LayoutNode> statements, Dictionary<InputSection, List<ContentPatch>> patches, IReadOnlyList<LinkSymbol> hashOrder,
        GnuPropertyMerge? properties)
    {
        Script = script;
        Identity = identity;
        Options = options;
        Inputs = inputs;
        LoadOrder = loadOrder;
        Sections = sections;
        Symbols = symbols;
        Relocations = relocations;
        Statements = statements;
        _patches = patches;
        GlobalSymbols = hashOrder;
        Properties = properties;
    }

    public LinkerScript Script { get; }

    /// <summary>e_entry of the output (ld/ldlang.c <c>lang_end</c>); 0 when no entry symbol is defined.</summary>
    public ulong Entry { get; init; }
    public ElfIdentity Identity { get; }
    public LinkOptions Options { get; }
    /// <summary>The inputs in command-line order.</summary>
    public IReadOnlyList<InputObject> Inputs { get; }

    /// <summary>The inputs in the order ld loads them: files a script names exactly come first (ld/ldlang.c
    /// <c>lookup_name</c> from open_input_bfds). Section matching, orphan placement and the discarded list use it.</summary>
    public IReadOnlyList<InputObject> LoadOrder { get; }

    /// <summary>Output sections in the order of the output file's section headers.</summary>
    public IReadOnlyList<OutputSection> Sections { get; }

    /// <summary>The output .symtab without its null entry.</summary>
    public IReadOnlyList<OutputSymbol> Symbols { get; }

    public IReadOnlyList<OutputRelocationTable> Relocations { get; }

    /// <summary>The link's global symbols in GNU ld's hash-table order (for the map).</summary>
    public IReadOnlyList<LinkSymbol> GlobalSymbols { get; }

    internal IReadOnlyList<LayoutNode> Statements { get; }

    /// <summary>The <c>.note.gnu.property</c> merge; null when no input has GNU properties.</summary>
    public GnuPropertyMerge? Properties { get; }

    /// <summary>The build-attribute merge in words, when the inputs' attributes differed: the header line, each input
    /// that differed with its values against the output's so far, and the merged values (empty otherwise).</summary>
    public IReadOnlyList<string> AttributeLog { get; init; } = [];

    public IEnumerable<InputSection> AllInputSections => LoadOrder.SelectMany(f => f.Sections);

    /// <summary>Input sections that are not in the output, in load order.</summary>
    public IEnumerable<InputSection> Discarded => AllInputSections.Where(s => s.Discarded != DiscardReason.None);

    /// <summary>What the map lists as discarded: ld leaves out sections a KEEP description matched.</summary>
    internal IEnumerable<InputSection> MapDiscarded => Discarded.Where(s => (s.Flags & SectionFlags.Keep) == 0);

    internal IReadOnlyList<ContentPatch> PatchesOf(InputSection s) => _patches.TryGetValue(s, out var l) ? l : [];

    /// <summary>The relocatable ELF this link produces.</summary>
    public ElfWriter ToElf() => LinkedElf.Build(this);

    /// <summary>The GNU ld -Map text.</summary>
    public string Map()
    {
        var w = new StringWriter { NewLine = "\n" };
        MapWriter.Write(w, this);
        return w.ToString();
    }
}
