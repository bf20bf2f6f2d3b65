using System.Text;
using DynDbg.ElfSim.Elf;

namespace DynDbg.ElfSim.DynDbg;

/// <summary>
/// Everything the dyndbg model knows about one input: where the callsite array is, which layout it has and why,
/// the decoded records, the class maps and the tables the kernel would build from them.
/// </summary>
public sealed class MainlineImage : KernelImage
{
    private readonly IReadOnlyList<DdebugRecord> records;

    private MainlineImage(ElfFile file, ElfMemory memory, ImageClass classified, DdebugRegion? region,
        ProfileDecision? decision, IReadOnlyList<DdebugRecord> records, IReadOnlyList<DdebugClassMap> classMaps, IReadOnlyList<DdebugTable> tables)
        : base(file, memory, classified)
    {
        Region = region;
        Decision = decision;
        this.records = records;
        ClassMaps = classMaps;
        Tables = tables;
    }

    public DdebugRegion? Region { get; }
    public ProfileDecision? Decision { get; }
    public override IReadOnlyList<DdebugRecord> Records => records;
    public IReadOnlyList<DdebugClassMap> ClassMaps { get; }
    public IReadOnlyList<DdebugTable> Tables { get; }
    public override string? LayoutName => Decision?.Layout.Name;
    public override IReadOnlyList<string> Evidence => Decision?.Evidence ?? [];

    /// <summary>
    /// Decodes <paramref name="file"/> as a mainline table (with <paramref name="lazy"/>, records stay a view over
    /// the file: see <see cref="ImageReader.Read"/>) (<see cref="ImageReader.Read"/> has told it from a diet
    /// image). The layout is always decided from the file itself (relocations are evidence);
    /// <paramref name="memory"/>, when given, is where the records are read from instead — e.g. a module image after
    /// the emulated load and relocation, as <c>dynamic_debug_setup</c> sees it.
    /// </summary>
    public static MainlineImage Load(ElfFile file, DdebugLayout? forced = null, ElfMemory? memory = null, bool lazy = false)
    {
        var fileMemory = ElfMemory.For(file);
        var classified = Classify(file);
        var names = forced is not null ? new[] { forced.SectionName } : ["__dyndbg", "__verbose"];
        DdebugRegion? region = null;
        foreach (var n in names)
        {
            region ??= DdebugRegionLocator.Find(file, n);
        }

        if (region is null)
        {
            return new MainlineImage(file, memory ?? fileMemory, classified, null, null, [], [], []);
        }

        var decision = ProfileDetector.Decide(file, fileMemory, region, forced);
        memory ??= fileMemory;
        var records = DdebugDecoder.Decode(memory, region, decision.Layout, lazy);
        var classes = decision.Layout.Version == DdebugVersion.V61 ? DdebugClassMapDecoder.Decode(memory) : [];
        var tables = classified.Kind == ImageKind.Module
            ? DdebugTables.Module(classified.ModName ?? (records.Count > 0 ? records[0].Modname : ""), records.Count, classes)
            : DdebugTables.BuiltIn(records, classes);
        return new MainlineImage(file, memory, classified, region, decision, records, classes, tables);
    }
}
