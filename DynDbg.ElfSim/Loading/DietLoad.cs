using DynDbg.ElfSim.DynDbg;
using DynDbg.ElfSim.Elf;

namespace DynDbg.ElfSim.Loading;

/// <summary>
/// A diet image after the emulated load (module: <c>load_module</c> up to <c>dynamic_debug_setup</c>; built-in:
/// <c>dynamic_debug_init</c>): where both arrays landed, what <c>section_objs</c> counted, the
/// <c>__ddebug_add_module</c> calls with their header verdicts, the kernel's log lines, and the memory as the
/// kernel left it (<see cref="Memory"/>), which <see cref="Checks.PostLoadChecks"/> reads.
/// </summary>
public sealed record DietLoad(
    string Path,
    bool BuiltIn,
    DietLayout Layout,
    IReadOnlyList<string> Evidence,
    DietMemory Memory,
    ElfLocation Descriptors,
    ulong DescriptorBytes,
    string DescriptorWhere,
    ElfLocation Sites,
    ulong SiteBytes,
    string SiteWhere,
    int NumDescs,
    int NumSites,
    int NumDebug,
    IReadOnlyList<DietTable> Tables,
    IReadOnlyList<string> Log,
    IReadOnlyList<DietSiteWords> SitesBefore,
    IReadOnlyList<string> Notes)
{
    /// <summary>The relocated module the diet load ran on (its <see cref="LoadedModule.Layout"/> and bases); null
    /// for built-in init.</summary>
    public LoadedModule? Module { get; init; }

    public ulong DescriptorAddress => Memory.Address(Descriptors);
    public ulong SiteAddress => Memory.Address(Sites);

    /// <summary>Where the descriptor array's own element 0 is in the file, for finding offsets.</summary>
    public ulong FileOffset(ElfLocation loc) => Memory.File.Sections[loc.Section].Offset + loc.Offset;

    /// <summary>
    /// Byte offsets (from the array start) of the records as the compiler placed them, i.e. the pointers
    /// <c>__dynamic_pr_debug</c> callers hold: the header at 0, then records. They are the kernel's stride
    /// <c>tab[i]</c> except when the header union is larger than a record (reference §7.2: LP64, no site pointer,
    /// JUMP_LABEL=n), where every record after the header sits <c>HeaderSize - RecordSize</c> further on.
    /// </summary>
    public IReadOnlyList<ulong> Held
    {
        get
        {
            var l = Layout;
            ulong h = (ulong)l.HeaderSize, r = (ulong)l.RecordSize;
            if (h != r && DescriptorBytes >= h && (DescriptorBytes - h) % r == 0)
            {
                return [0, .. Enumerable.Range(0, (int)((DescriptorBytes - h) / r)).Select(k => h + ((ulong)k * r))];
            }

            return Enumerable.Range(0, (int)(DescriptorBytes / r)).Select(k => (ulong)k * r).ToArray();
        }
    }
}
