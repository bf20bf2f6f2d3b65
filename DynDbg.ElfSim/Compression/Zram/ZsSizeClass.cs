namespace DynDbg.ElfSim.Compression.Zram;

/// <summary>
/// One <c>struct size_class</c> of 6.1 <c>mm/zsmalloc.c</c>: <paramref name="Index"/> is the class's own index
/// (<c>class-&gt;index</c>, the largest of the indices merged into it), <paramref name="Size"/> its chunk size,
/// <paramref name="PagesPerZspage"/> from <c>get_pages_per_zspage</c>, <paramref name="ObjectsPerZspage"/> =
/// pages × PAGE_SIZE / size. <paramref name="Huge"/>: one object on one page (<c>create_page_chain</c>'s
/// <c>SetZsHugePage</c> test).
/// </summary>
public readonly record struct ZsSizeClass(int Index, int Size, int PagesPerZspage, int ObjectsPerZspage)
{
    public bool Huge => ObjectsPerZspage == 1 && PagesPerZspage == 1;
}
