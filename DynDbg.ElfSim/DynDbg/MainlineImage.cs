using System.Text;
using DynDbg.ElfSim.Elf;

namespace DynDbg.ElfSim.DynDbg;

/// <summary>
/// Everything the dyndbg model knows about one input: where the callsite array is, which layout it has and why,
/// the decoded records, the class maps and the tables the kernel would build from them.
/// </summary>
public sealed class MainlineImage
{
    private MainlineImage(ElfFile file, ElfMemory memory, ImageKind kind, string kindReason, DdebugRegion? region,
        ProfileDecision? decision, DdebugRecord[] records, IReadOnlyList<DdebugClassMap> classMaps, IReadOnlyList<DdebugTable> tables)
    {
        File = file;
        Memory = memory;
        Kind = kind;
        KindReason = kindReason;
        Region = region;
        Decision = decision;
        Records = records;
        ClassMaps = classMaps;
        Tables = tables;
    }

    public ElfFile File { get; }
    public ElfMemory Memory { get; }
    public ImageKind Kind { get; }
    public string KindReason { get; }
    public DdebugRegion? Region { get; }
    public ProfileDecision? Decision { get; }
    public IReadOnlyList<DdebugRecord> Records { get; }
    public IReadOnlyList<DdebugClassMap> ClassMaps { get; }
    public IReadOnlyList<DdebugTable> Tables { get; }

    /// <summary>
    /// Decodes <paramref name="file"/>. The layout is always decided from the file itself (relocations are evidence);
    /// <paramref name="memory"/>, when given, is where the records are read from instead — e.g. a module image after
    /// the emulated load and relocation, as <c>dynamic_debug_setup</c> sees it.
    /// </summary>
    public static MainlineImage Load(ElfFile file, DdebugLayout? forced = null, ElfMemory? memory = null)
    {
        var fileMemory = ElfMemory.For(file);
        var (kind, kindReason, modName) = Classify(file);
        var names = forced is not null ? new[] { forced.SectionName } : ["__dyndbg", "__verbose"];
        DdebugRegion? region = null;
        foreach (var n in names)
        {
            region ??= DdebugRegionLocator.Find(file, n);
        }

        if (region is null)
        {
            return new MainlineImage(file, memory ?? fileMemory, kind, kindReason, null, null, [], [], []);
        }

        if (forced is null && DietImage.IsDiet(file))
        {
            // The split layout would only be misread as a broken mainline table.
            throw new ElfFormatException(ErrorIds.DietImage, file.Path, region.Origin, region.FileOffset,
                "a diet-plan image (it has __dyndbg_sites): the mainline decoder does not read it; use `check` for its invariants");
        }

        var decision = ProfileDetector.Decide(file, fileMemory, region, forced);
        memory ??= fileMemory;
        var records = DdebugDecoder.Decode(memory, region, decision.Layout);
        var classes = decision.Layout.Version == DdebugVersion.V61 ? DdebugClassMapDecoder.Decode(memory) : [];
        var tables = kind == ImageKind.Module
            ? DdebugTables.Module(modName ?? (records.Length > 0 ? records[0].Modname : ""), records.Length, classes)
            : DdebugTables.BuiltIn(records, classes);
        return new MainlineImage(file, memory, kind, kindReason, region, decision, records, classes, tables);
    }

    /// <summary>A loadable module has <c>.gnu.linkonce.this_module</c> (or a <c>.modinfo name=</c>); anything else
    /// is consumed like the built-in array.</summary>
    internal static (ImageKind Kind, string Reason, string? ModName) Classify(ElfFile file)
    {
        if (file.Header.Type != ElfConstants.EtRel)
        {
            return (ImageKind.BuiltIn, "linked image: built-in table, cut into one table per modname run", null);
        }

        var modinfo = file.FindSection(".modinfo");
        var name = modinfo is null ? null : KernelVersionProbe.ModInfo(file, modinfo).GetValueOrDefault("name");
        var thisModule = file.FindSection(".gnu.linkonce.this_module");
        if (name is null && thisModule is not null && !thisModule.IsNoBits)
        {
            name = KernelVersionProbe.ThisModuleName(file, thisModule);
        }

        if (name is not null || thisModule is not null)
        {
            var from = name is not null && modinfo is not null ? ".modinfo name=" : ".gnu.linkonce.this_module";
            return (ImageKind.Module, $"loadable module (table name from {from})", name);
        }

        return (ImageKind.BuiltIn, "relocatable object without .gnu.linkonce.this_module: built-in semantics, one table per modname run", null);
    }
}
