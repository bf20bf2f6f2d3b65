using DynDbg.ElfSim.Compression.Zram;

namespace DynDbg.ElfSim.Compression.ZramPlan;

/// <summary>
/// The zs_pool copy of one table: every record (the whole 6.1 <c>struct _ddebug</c>) plus its zhandle (an
/// <c>unsigned long</c>, as <c>zs_malloc</c> returns it) as one object, allocated as 6.1's zpool back-end does.
/// </summary>
/// <param name="BeforeBytes">The <c>__dyndbg</c> array: records × record size.</param>
/// <param name="ZhandleVectorBytes">Not in <see cref="AfterBytes"/>: one zhandle per call site, wherever the call
/// site keeps the way to its copy once <c>__dyndbg</c> is gone.</param>
/// <param name="StaticKeyBytes">Not in <see cref="AfterBytes"/>: with JUMP_LABEL, <c>__jump_table</c> points at the
/// static keys inside the records, so they must outlive <c>__dyndbg</c> (records × sizeof(struct static_key)).</param>
public sealed record ZsPoolCopy(ZpoolKind Kind, int RecordSize, int ZhandleBytes, ZsPoolResult Pool, long BeforeBytes,
    long ZhandleVectorBytes, long StaticKeyBytes)
{
    public int ObjectSize => RecordSize + ZhandleBytes;

    /// <summary>The pool's pages plus the handles zsmalloc allocates for its objects.</summary>
    public long PoolBytes => Pool.Bytes + Pool.HandleBytes;

    /// <summary>While the copy is made: the section and the pool.</summary>
    public long DuringBytes => BeforeBytes + PoolBytes;

    /// <summary>After <c>__dyndbg</c> is reclaimed: the pool.</summary>
    public long AfterBytes => PoolBytes;
}
