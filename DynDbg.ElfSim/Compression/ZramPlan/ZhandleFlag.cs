namespace DynDbg.ElfSim.Compression.ZramPlan;

/// <summary>
/// The 2020 plan's patch 3: an explicit <c>is_zhandle</c> flag instead of the <c>% 2</c> test, and what it costs in
/// the 6.1 <c>struct _ddebug</c> of one layout profile (reference §1.1, §4).
/// </summary>
/// <param name="Bit">The flag chosen: the first <c>flags:8</c> bit no 6.1, later-mainline or diet flag letter uses.</param>
/// <param name="FreeFlagBits">Bits of <c>flags:8</c> that 6.1 leaves unused (it defines p, m, f, l, t: five).</param>
/// <param name="PaddingBytes">Bytes of the record no field uses (alignment holes and tail padding).</param>
/// <param name="CostBytes">Bytes per record the flag adds: 0 while a flags bit is free.</param>
/// <param name="MisreadsByParity">Records the <c>% 2</c> test misreads (an odd pointer in any field).</param>
/// <param name="MisreadsWithFlag">Records the flag test misreads: those whose image flags already have the bit set.</param>
public sealed record ZhandleFlag(uint Bit, int FreeFlagBits, int PaddingBytes, int CostBytes, int MisreadsByParity, int MisreadsWithFlag);
