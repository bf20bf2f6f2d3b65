namespace DynDbg.ElfSim.Control;

/// <summary>
/// A callsite's <c>struct static_key</c> under <c>CONFIG_JUMP_LABEL</c>: the <c>enabled</c> count and the initial
/// type (<c>STATIC_KEY_TRUE_INIT</c> for <c>DEBUG</c> builds, which use <c>static_branch_likely</c>; otherwise
/// false and <c>static_branch_unlikely</c>). Reference §1.1, §1.4.
/// </summary>
public readonly record struct StaticKey(int Enabled, bool InitiallyTrue)
{
    /// <summary>
    /// What the patched jump site holds: <c>jump_label_type = enabled ^ branch</c>, and the branch bit of a
    /// dyndbg site is its initial type, so a site reads <c>jmp</c> exactly when its key differs from its default.
    /// </summary>
    public string Instruction => (Enabled > 0) != InitiallyTrue ? "jmp" : "nop";

    /// <summary>
    /// <c>static_key_enable</c>: a key already above 0 stays (the kernel warns once unless it is 1); 0 becomes 1.
    /// </summary>
    public StaticKey Enable(out bool warned)
    {
        warned = Enabled > 1;
        return Enabled == 0 ? this with { Enabled = 1 } : this;
    }

    /// <summary><c>static_key_disable</c>: only 1 becomes 0; any other value stays (warning once unless it is 0).</summary>
    public StaticKey Disable(out bool warned)
    {
        warned = Enabled is not (0 or 1);
        return Enabled == 1 ? this with { Enabled = 0 } : this;
    }
}
