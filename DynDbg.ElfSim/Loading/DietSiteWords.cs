using DynDbg.ElfSim.DynDbg;
using DynDbg.ElfSim.Elf;

namespace DynDbg.ElfSim.Loading;

/// <summary>One <c>struct _ddebug_site</c> as three final addresses, kept from before the loader's writes (v6
/// packing moves site records), so a site reached after load can be compared with the one built with a record.</summary>
public readonly record struct DietSiteWords(ulong Modname, ulong Filename, ulong Function)
{
    /// <summary>The three words of the site record at <paramref name="site"/> in the loaded memory.</summary>
    public static DietSiteWords At(DietMemory m, DietLayout l, ElfLocation site) =>
        new(m.Word(DietLoader.Field(site, 0, 0, l.SiteModnameOffset)), m.Word(DietLoader.Field(site, 0, 0, l.SiteFilenameOffset)),
            m.Word(DietLoader.Field(site, 0, 0, l.SiteFunctionOffset)));
}
