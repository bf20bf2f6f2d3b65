namespace DynDbg.ElfSim.Compression.Zram;

/// <summary>The zpool back-ends of 6.1: <c>mm/zsmalloc.c</c> (zram's only allocator), <c>mm/zbud.c</c>, <c>mm/z3fold.c</c>.</summary>
public enum ZpoolKind
{
    Zsmalloc,
    Zbud,
    Z3fold,
}
