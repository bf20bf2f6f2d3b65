using DynDbg.ElfSim.DynDbg;

namespace DynDbg.ElfSim.Control;

/// <summary>
/// A <c>struct ddebug_table</c> on the kernel's list: the module name, its sites in array order, and its class
/// maps in list order (<c>ddebug_attach_module_classes</c> uses <c>list_add</c>, so the last map of the section
/// comes first; class lookups take the first map that answers).
/// </summary>
public sealed class ControlTable
{
    internal ControlTable(MainlineImage image, DdebugTable table)
    {
        Image = image;
        Kind = image.Kind;
        ModName = table.ModName;
        ModNameBytes = System.Text.Encoding.UTF8.GetBytes(table.ModName);
        Maps = table.Classes.Reverse().ToArray();
        Records = image.Records;
        Sites = Enumerable.Range(table.First, table.Count).Select(i => new ControlSite(this, i)).ToArray();
    }

    /// <summary>
    /// A diet table (reference §6.10): <paramref name="count"/> descriptors from <paramref name="first"/>, the
    /// header pair included when it is the first of them (<paramref name="header"/>).
    /// </summary>
    internal ControlTable(DietImage image, string modName, int first, int count, bool header)
    {
        Image = null;
        Kind = image.Kind;
        ModName = modName;
        ModNameBytes = System.Text.Encoding.UTF8.GetBytes(modName);
        Maps = [];
        Records = image.Records;
        Sites = Enumerable.Range(first, count)
            .Select(i => new ControlSite(this, i, header && i == first, image.HasSite[i])).ToArray();
    }

    /// <summary>The mainline image the table came from; null for a diet table.</summary>
    public MainlineImage? Image { get; }

    public ImageKind Kind { get; }

    public string ModName { get; }

    internal byte[] ModNameBytes { get; }

    public IReadOnlyList<ControlSite> Sites { get; }

    /// <summary>The records of the image the table is part of (all of them; a site knows its index there).</summary>
    internal IReadOnlyList<DdebugRecord> Records { get; }

    public IReadOnlyList<DdebugClassMap> Maps { get; }

    /// <summary><c>ddebug_class_name</c>: the first map in list order whose range holds the id.</summary>
    public string? ClassName(int classId) => Maps.Select(m => m.NameOf(classId)).FirstOrDefault(n => n is not null);
}
