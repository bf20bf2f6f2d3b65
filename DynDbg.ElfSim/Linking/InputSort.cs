namespace DynDbg.ElfSim.Linking;

/// <summary>How an input-section pattern sorts what it matches (ld/ldlang.h <c>sort_type</c>).</summary>
public enum InputSort
{
    /// <summary>In input order: file by file, each file's sections in section-header order.</summary>
    None,

    /// <summary><c>SORT</c> / <c>SORT_BY_NAME</c>.</summary>
    ByName,

    /// <summary><c>SORT_BY_ALIGNMENT</c>: larger alignment first.</summary>
    ByAlignment,

    /// <summary><c>SORT_BY_NAME(SORT_BY_ALIGNMENT(...))</c>.</summary>
    ByNameAlignment,

    /// <summary><c>SORT_BY_ALIGNMENT(SORT_BY_NAME(...))</c>.</summary>
    ByAlignmentName,

    /// <summary><c>SORT_NONE</c>: never sorted, even by --sort-section.</summary>
    ByNone,

    /// <summary><c>SORT_BY_INIT_PRIORITY</c>: by the number in <c>.init_array.NNNNN</c>/<c>.ctors.NNNNN</c>.</summary>
    ByInitPriority,
}
