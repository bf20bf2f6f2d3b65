namespace DynDbg.ElfSim.Control;

/// <summary>
/// One <c>write(2)</c> to the control file: the bytes written, what the write returned (the length on success,
/// a negative errno otherwise), each query's own result and the kernel log lines the write produced.
/// </summary>
public sealed record ControlWriteResult(int Length, int Rc, IReadOnlyList<QueryResult> Queries, IReadOnlyList<KernelLogLine> Log)
{
    public bool Failed => Rc < 0;

    /// <summary>The sum of the matches of the queries that succeeded.</summary>
    public int Matches => Queries.Where(q => q.Rc > 0).Sum(q => q.Rc);
}
