namespace DynDbg.ElfSim.Checks;

/// <summary>Stable IDs of the diet-plan checks, with the reference §8 invariant or §7 hazard each enforces.</summary>
public static class CheckIds
{
    public const string DescriptorSize = "DDG001";   // §8.1: descriptor section is a whole number of records
    public const string SiteSize = "DDG002";         // §8.1: sites section is a whole number of site records
    public const string HeaderNotFirst = "DDG003";   // §8.3, §8.4, §8.23: the header pair is element 0 of both arrays
    public const string ExtraHeader = "DDG004";      // §8.4: one header pair per linked image
    public const string CountMismatch = "DDG005";    // §8.5: count(descriptors) == count(sites)
    public const string SitePointer = "DDG006";      // §8.6, §8.16, §8.17: SITE_CHK desc[N].site == &sites[N]
    public const string HeaderLineno = "DDG007";     // §8.7: header.lineno == 0
    public const string HeaderFormat = "DDG008";     // §8.8: header.format == site_header.modname
    public const string HeaderFunction = "DDG009";   // §8.9: site_header.modname == site_header.function
    public const string Loopback = "DDG010";         // §8.10: site_header.filename == &header
    public const string HeaderSite = "DDG011";       // §8.11: header.site == &sites[0]
    public const string IndexOverflow = "DDG020";    // §8.20: _index:14 holds the table's size

    // Post-load: evaluated on the memory the emulated loader / built-in init left (Loading/DietLoader).
    public const string IndexValue = "DDG012";       // §8.12: desc[N]._index == N after add_module
    public const string HeaderUpN = "DDG013";        // §8.13: &desc[N] - desc[N]._index == &desc[0], a header there
    public const string BuiltinSlot = "DDG014";      // §8.14: built-in dp == &__start___dyndbg[dp->_index]
    public const string BuiltinSiteIndex = "DDG015"; // §8.15: built-in dp->_index names dp's own parallel site
    public const string BuiltinSitePointer = "DDG016"; // §8.16: built-in &__start___dyndbg_sites[dp->_index] == dp->site
    public const string HeaderSiteIndex = "DDG017";  // §8.17: &dh->site[dp->_index] == dp->site (SITE_CHK)
    public const string SiteOf = "DDG018";           // §8.18: site_of(desc N) without a site pointer is desc N's site
    public const string HeaderPlace = "DDG019";      // §8.23: add_module recognises the header at tab[0] of the first slice only

    public const string IndexOverlapsFormat = "DDH01";   // §7.1: record _index unit over the header's format pointer
    public const string UnionSize = "DDH02";             // §7.2: sizeof(union _ddebug_header) != sizeof(struct _ddebug)
    public const string SharedCounter = "DDH03";         // §7.4: num_debug overwritten by the sites count (v5 13/28)

    public static string Reference(string id) => id switch
    {
        DescriptorSize or SiteSize => "§8.1",
        HeaderNotFirst => "§8.3,§8.4,§8.23",
        ExtraHeader => "§8.4",
        CountMismatch => "§8.5",
        SitePointer => "§8.6,§8.16,§8.17",
        HeaderLineno => "§8.7",
        HeaderFormat => "§8.8",
        HeaderFunction => "§8.9",
        Loopback => "§8.10",
        HeaderSite => "§8.11",
        IndexOverflow => "§8.20",
        IndexValue => "§8.12",
        HeaderUpN => "§8.13",
        BuiltinSlot => "§8.14",
        BuiltinSiteIndex => "§8.15",
        BuiltinSitePointer => "§8.16",
        HeaderSiteIndex => "§8.17",
        SiteOf => "§8.18",
        HeaderPlace => "§8.23",
        IndexOverlapsFormat => "§7.1",
        UnionSize => "§7.2",
        SharedCounter => "§7.4",
        _ => "?",
    };

    /// <summary>What the check enforces, in one line: the rule's short description in SARIF.</summary>
    public static string Title(string id) => id switch
    {
        DescriptorSize => "The descriptor section is a whole number of records",
        SiteSize => "The sites section is a whole number of site records",
        HeaderNotFirst => "The header pair is element 0 of both arrays",
        ExtraHeader => "One header pair per linked image",
        CountMismatch => "As many descriptors as sites",
        SitePointer => "With SITE_CHK, desc[N].site is &sites[N]",
        HeaderLineno => "The header's lineno is 0",
        HeaderFormat => "The header's format is the header site's modname",
        HeaderFunction => "The header site's modname is its function",
        Loopback => "The header site's filename points back at the header",
        HeaderSite => "The header's site is &sites[0]",
        IndexOverflow => "_index (14 bits) holds the table's size",
        IndexValue => "desc[N]._index is N after ddebug_add_module",
        HeaderUpN => "&desc[N] - desc[N]._index is the header",
        BuiltinSlot => "A built-in dp is &__start___dyndbg[dp->_index]",
        BuiltinSiteIndex => "A built-in dp->_index names its own parallel site",
        BuiltinSitePointer => "A built-in &__start___dyndbg_sites[dp->_index] is dp->site",
        HeaderSiteIndex => "&dh->site[dp->_index] is dp->site (SITE_CHK)",
        SiteOf => "Without a site pointer, site_of(desc N) is desc N's site",
        HeaderPlace => "ddebug_add_module finds the header at tab[0] of the first slice only",
        IndexOverlapsFormat => "Hazard: the record's _index unit overlaps the header's format pointer",
        UnionSize => "Hazard: sizeof(union _ddebug_header) differs from sizeof(struct _ddebug)",
        SharedCounter => "Hazard: num_debug is overwritten by the sites count",
        _ => "The input can be read: ELF structure, dyndbg layout, usage",
    };
}
