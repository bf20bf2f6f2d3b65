using DynDbg.ElfSim.Elf;

namespace DynDbg.ElfSim.DynDbg;

/// <summary>
/// One input as the dyndbg model reads it, once (<see cref="ImageReader.Read"/>): a mainline 6.1 table
/// (<see cref="MainlineImage"/>) or a diet-plan pair of arrays (<see cref="DietImage"/>). The hierarchy is closed:
/// later stages switch on the case only where the kernel behaves differently. What both cases share lives here:
/// how the kernel would consume the table (module or built-in), the layout that was decided and why, and the
/// records in the form <c>lib/dynamic_debug.c</c> walks them.
/// </summary>
public abstract class KernelImage
{
    private protected KernelImage(ElfFile file, ElfMemory memory, ImageClass classified)
    {
        File = file;
        Memory = memory;
        Kind = classified.Kind;
        KindReason = classified.Reason;
        ModName = classified.ModName;
    }

    public ElfFile File { get; }

    /// <summary>Where the records were read from (the file's sections, or a loaded copy of them).</summary>
    public ElfMemory Memory { get; }

    public ImageKind Kind { get; }

    public string KindReason { get; }

    /// <summary>The module's name from <c>.modinfo</c> / <c>.gnu.linkonce.this_module</c>; null for built-ins.</summary>
    public string? ModName { get; }

    /// <summary>The layout profile's name; null when the file has no table to decide one for.</summary>
    public abstract string? LayoutName { get; }

    /// <summary>The facts that decided the layout, strongest first.</summary>
    public abstract IReadOnlyList<string> Evidence { get; }

    /// <summary>
    /// The call sites as the kernel's table walk meets them, in array order. A diet image gives each descriptor
    /// with the strings of the site it reaches (the header pair included, at element 0).
    /// </summary>
    public abstract IReadOnlyList<DdebugRecord> Records { get; }

    /// <summary>A loadable module has <c>.gnu.linkonce.this_module</c> (or a <c>.modinfo name=</c>); anything else
    /// is consumed like the built-in array.</summary>
    internal static ImageClass Classify(ElfFile file)
    {
        if (file.Header.Type != ElfConstants.EtRel)
        {
            return new(ImageKind.BuiltIn, "linked image: built-in table, cut into one table per modname run", null);
        }

        var modinfo = file.FindSection(".modinfo");
        var name = modinfo is null ? null : KernelVersionProbe.ModInfo(file, modinfo, "name");
        var thisModule = file.FindSection(".gnu.linkonce.this_module");
        if (name is null && thisModule is not null && !thisModule.IsNoBits)
        {
            name = KernelVersionProbe.ThisModuleName(file, thisModule);
        }

        if (name is not null || thisModule is not null)
        {
            var from = name is not null && modinfo is not null ? ".modinfo name=" : ".gnu.linkonce.this_module";
            return new(ImageKind.Module, $"loadable module (table name from {from})", name);
        }

        return new(ImageKind.BuiltIn, "relocatable object without .gnu.linkonce.this_module: built-in semantics, one table per modname run", null);
    }
}
