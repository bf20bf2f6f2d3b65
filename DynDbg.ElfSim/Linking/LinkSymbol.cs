namespace DynDbg.ElfSim.Linking;

/// <summary>
/// A global symbol of the link, GNU ld's hash-table entry: its resolution state and where its definition is.
/// Objects define symbols relative to an input section; scripts relative to an output section or absolutely.
/// </summary>
public sealed class LinkSymbol : IBfdHashEntry<LinkSymbol>
{
    internal LinkSymbol(string name) => Name = name;

    public string Name { get; }
    public LinkSymbolState State { get; internal set; }

    /// <summary>For object definitions: the input section (null for absolute ones).</summary>
    public InputSection? Section { get; internal set; }

    /// <summary>For script definitions: the output section the value is relative to (null when absolute).</summary>
    public OutputSection? ScriptSection { get => _script?.Section; internal set { if (value is not null || _script is not null) Script.Section = value; } }

    public bool IsAbsolute { get; internal set; }

    /// <summary>st_value in the defining input section, or the script value relative to <see cref="ScriptSection"/>.</summary>
    public ulong Value { get; internal set; }

    public ulong Size { get; internal set; }
    public byte Type { get; internal set; }

    /// <summary>st_other (visibility), the most constraining of all the file's mentions.</summary>
    public byte Other { get; internal set; }

    /// <summary>The input that defined it, or that first referred to it.</summary>
    public InputObject? File { get; internal set; }

    /// <summary>Set by a script assignment (ld's ldscript_def).</summary>
    public bool ScriptDefined { get; internal set; }

    /// <summary>The script assignment that defined it.</summary>
    public ScriptStatement.Assignment? AssignedBy { get => _script?.AssignedBy; internal set { if (value is not null || _script is not null) Script.AssignedBy = value; } }

    /// <summary>Created by a script expression's reference rather than by an input.</summary>
    internal bool ReferencedByScript { get; set; }

    /// <summary>HIDDEN/PROVIDE_HIDDEN made it local (ld's forced_local).</summary>
    public bool ForcedLocal { get; internal set; }

    /// <summary>A relocation in a kept section refers to it (ld's indx == -2).</summary>
    internal bool UsedByRelocation { get; set; }

    /// <summary>Names a kept section group (bfd's h->indx = -2): output even when it would be stripped.</summary>
    internal bool GroupSignature { get; set; }

    /// <summary>Its definition is STB_GNU_UNIQUE (bfd's h->unique_global): written with that binding.</summary>
    internal bool GnuUnique { get; set; }

    /// <summary>ARM: the last definition bfd took was a Thumb function (its <c>st_target_internal</c> is
    /// ST_BRANCH_TO_THUMB, set by elf32_arm_swap_symbol_in from an odd STT_FUNC value). A common that takes over keeps
    /// it, and elf32_arm_swap_symbol_out then writes the symbol as STT_FUNC with the low bit set.</summary>
    internal bool ArmThumb { get; set; }

    /// <summary>A definition of it was in a discarded section (ld's indx == -3).</summary>
    internal bool DefinitionDiscarded { get; set; }

    /// <summary>Its ordinal among the globals relocations refer to (1-based; 0 none yet), kept in the relocation
    /// entries until the output symbol table is numbered (<see cref="RelocationCollector"/>).</summary>
    internal int RelocationOrdinal { get; set; }

    /// <summary>Its index in the output symbol table (the r_info ordinal, 1-based), once numbered; 0 when it is not output.</summary>
    internal int OutputIndex { get; set; }

    /// <summary>For SHN_COMMON: the alignment (st_value of a common symbol).</summary>
    public ulong CommonAlignment { get => _script?.CommonAlignment ?? 0; internal set { if (value != 0 || _script is not null) Script.CommonAlignment = value; } }

    public bool IsDefined => State is LinkSymbolState.Defined or LinkSymbolState.DefinedWeak;

    /// <summary>ld's <c>h->u.def.value</c> plus its section's output offset and address, as lang_end (e_entry) and
    /// the map's assignment lines read it: no backend adjustment (.eh_frame moves) applied; a symbol of a discarded
    /// section is its value alone.</summary>
    internal ulong Address =>
        ScriptDefined ? Value + (ScriptSection?.Address ?? 0)
        : Section is { Output: { } o } s ? Value + s.OutputOffset + o.Address
        : Value;

    // What only script-defined and common symbols have, kept apart: a million input symbols are 24 bytes each
    // lighter without it.
    private sealed class ScriptPart
    {
        public OutputSection? Section;
        public ScriptStatement.Assignment? AssignedBy;
        public ulong CommonAlignment;
    }

    private ScriptPart? _script;

    private ScriptPart Script => _script ??= new ScriptPart();

    ulong IBfdHashEntry<LinkSymbol>.BfdHash { get; set; }

    LinkSymbol? IBfdHashEntry<LinkSymbol>.BfdNext { get; set; }

    public override string ToString() => $"{Name} ({State})";
}
