namespace DynDbg.ElfSim.Loading;

/// <summary>One <c>struct _ddebug_site</c> as three final addresses, kept from before the loader's writes (v6
/// packing moves site records), so a site reached after load can be compared with the one built with a record.</summary>
public readonly record struct DietSiteWords(ulong Modname, ulong Filename, ulong Function);
