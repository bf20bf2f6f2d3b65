namespace DynDbg.ElfSim.Linking;

/// <summary>LNKnnn: a linker script or a link (ld -r emulation) that cannot be done. Stable: never reused for another meaning.</summary>
public static class LinkErrorIds
{
    public const string ScriptSyntax = "LNK001";
    public const string ScriptUnsupported = "LNK002";
    public const string ScriptInclude = "LNK003";
    public const string ScriptEvaluation = "LNK004";
    public const string ScriptAssertion = "LNK005";

    /// <summary>An expression nested deeper than the parser allows: a bound, so no input can overflow the stack.</summary>
    public const string ScriptTooDeep = "LNK006";
    public const string LinkInputType = "LNK010";
    public const string LinkIncompatibleInput = "LNK011";
    public const string LinkMultipleDefinition = "LNK012";
    public const string LinkDiscardedReference = "LNK013";
    public const string LinkUnsupportedInput = "LNK014";
    public const string LinkOrderMix = "LNK015";
    public const string LinkReverseCopy = "LNK016";

    /// <summary>Output section contents past the bound (1 GiB): a script or input that asks for more is refused.</summary>
    public const string LinkOutputTooLarge = "LNK017";

    /// <summary>An ELF32 output section whose address range (or alignment) does not fit 32 bits: ld's "section S
    /// VMA wraps around address space".</summary>
    public const string LinkAddressWraps = "LNK018";
}
