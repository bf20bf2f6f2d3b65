namespace DynDbg.ElfSim.DynDbg;

/// <summary>
/// One pr_debug call site as the source defines it: what <c>DEFINE_DYNAMIC_DEBUG_METADATA</c> captures
/// (KBUILD_MODNAME, __FILE__, __func__, the format, __LINE__, the default flags). The input of the object writers:
/// the diet transform makes it from a decoded mainline record, <c>synth</c> from its generator.
/// <see cref="ClassId"/> is mainline 6.1's class (63 = default); diet layouts have no class field (v5 predates it).
/// <see cref="KeyEnabled"/> is the static key's initial state (6.1's <c>_DPRINTK_KEY_INIT</c>: enabled when the
/// default flags print, i.e. <c>DEBUG</c> was defined).
/// </summary>
public sealed record Callsite(
    string ModName,
    string FileName,
    string Function,
    string Format,
    uint LineNo,
    uint Flags,
    int ClassId = DdebugLayout.DefaultClass,
    bool KeyEnabled = false)
{
    public static Callsite From(DdebugRecord r) =>
        new(r.Modname, r.Filename, r.Function, r.Format, r.LineNo, r.Flags, r.ClassId < 0 ? DdebugLayout.DefaultClass : r.ClassId, r.KeyEnabled > 0);
}
