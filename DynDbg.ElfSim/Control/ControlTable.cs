using DynDbg.ElfSim.DynDbg;

namespace DynDbg.ElfSim.Control;

/// <summary>
/// A <c>struct ddebug_table</c> on the kernel's list: the module name, its sites in array order, and its class
/// maps in list order (<c>ddebug_attach_module_classes</c> uses <c>list_add</c>, so the last map of the section
/// comes first; class lookups take the first map that answers).
/// </summary>
public sealed class ControlTable
{
    internal ControlTable(DyndbgImage image, DdebugTable table)
    {
        Image = image;
        ModName = table.ModName;
        ModNameBytes = System.Text.Encoding.UTF8.GetBytes(table.ModName);
        Maps = table.Classes.Reverse().ToArray();
        Sites = Enumerable.Range(table.First, table.Count).Select(i => new ControlSite(this, image.Records[i])).ToArray();
    }

    public DyndbgImage Image { get; }

    public string ModName { get; }

    internal byte[] ModNameBytes { get; }

    public IReadOnlyList<ControlSite> Sites { get; }

    public IReadOnlyList<DdebugClassMap> Maps { get; }

    /// <summary><c>ddebug_class_name</c>: the first map in list order whose range holds the id.</summary>
    public string? ClassName(int classId) => Maps.Select(m => m.NameOf(classId)).FirstOrDefault(n => n is not null);
}
