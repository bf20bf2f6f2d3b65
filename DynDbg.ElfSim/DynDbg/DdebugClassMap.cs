namespace DynDbg.ElfSim.DynDbg;

/// <summary>A 6.1 <c>struct ddebug_class_map</c> from <c>__dyndbg_classes</c> (reference §1.2).</summary>
public sealed record DdebugClassMap(int Index, string ModName, IReadOnlyList<string> ClassNames, int Base, int MapType)
{
    /// <summary>The class name for <paramref name="classId"/>, when it falls in [base, base+length).</summary>
    public string? NameOf(int classId) =>
        classId >= Base && classId - Base < ClassNames.Count ? ClassNames[classId - Base] : null;
}
