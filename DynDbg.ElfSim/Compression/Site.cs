namespace DynDbg.ElfSim.Compression;

/// <summary>
/// One callsite's site: the diet plan's <c>struct _ddebug_site</c> (reference §6.1, [v5 03/28]) as the three
/// pointer values a running kernel holds, in the patch's hierarchy order modname, filename, function (mainline
/// <c>struct _ddebug</c> orders them modname, function, filename). Every store must give back exactly these values.
/// </summary>
public readonly record struct Site(ulong Modname, ulong Filename, ulong Function)
{
    public override string ToString() => $"{{modname 0x{Modname:x}, filename 0x{Filename:x}, function 0x{Function:x}}}";
}
