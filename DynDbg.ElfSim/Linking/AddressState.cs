namespace DynDbg.ElfSim.Linking;

/// <summary>
/// The state of one layout pass (lld's <c>AddressState</c>): made afresh by <see cref="ExpressionEvaluator.BeginPass"/>
/// for each pass of ld/ldlang.c <c>lang_size_sections</c> or <c>lang_do_assignments</c> instead of living in loose
/// fields between passes.
/// </summary>
internal struct AddressState(LayoutPhase phase, int iteration)
{
    /// <summary>expld.phase.</summary>
    public readonly LayoutPhase Phase = phase;

    /// <summary>lang_statement_iteration: which pass this is (ld's definedness table compares against it).</summary>
    public readonly int Iteration = iteration;

    /// <summary>lang_size_sections: the default memory region's current address.</summary>
    public ulong RegionCurrent;

    // lang_do_assignments, for section_for_dot: the last allocated output statement, whether a dot assignment at
    // the top level asks for the next one instead, and the assignment being folded with the list it is in.
    public OutputStatement? CurrentSection;
    public bool PreferNextSection;
    public LayoutNode? CurrentAssign;
    public List<LayoutNode>? CurrentAssignList;
}
