namespace DynDbg.ElfSim.DynDbg;

/// <summary>
/// What <see cref="DietTransform.Run"/> wrote: the objects in link order, the layout they use, the script that
/// links them (bundled name), whether the input was a loadable module, how many call sites it had, and how many
/// of those had a class (6.1 <c>class_id != 63</c>), which the diet layouts cannot express and which are written as
/// plain (default-class) call sites.
/// </summary>
public sealed record DietTransformResult(
    string Input,
    string Name,
    DietLayout Layout,
    ObjectTarget Target,
    bool IsModule,
    string Script,
    int Callsites,
    int ClassedCallsites,
    IReadOnlyList<DietObject> Objects)
{
    /// <summary>The linked output's file name: <c>&lt;name&gt;.ko</c> for a module, <c>vmlinux.o</c> otherwise.</summary>
    public string LinkedName => IsModule ? Name + ".ko" : "vmlinux.o";
}
