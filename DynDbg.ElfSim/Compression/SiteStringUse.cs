namespace DynDbg.ElfSim.Compression;

/// <summary>
/// The strings one site column points to (<see cref="Column"/> is <c>modname</c>, <c>filename</c>,
/// <c>function</c> or <c>all</c>): how many distinct string objects and how many bytes they cover (NUL included,
/// overlapping tail-merged strings counted once), and the part of them that nothing but a site pointer
/// references, i.e. what could be freed if the sites were the only users (docs/compression.md, "Strings").
/// </summary>
public sealed record SiteStringUse(string Column, int Strings, long Bytes, int SiteOnlyStrings, long SiteOnlyBytes);
