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
    /// <c>static_key_enable_cpuslocked</c> (6.1 kernel/jump_label.c): a key above 0 stays, with a
    /// <c>WARN_ON_ONCE(enabled != 1)</c>; 0 becomes 1; a negative count is left alone.
    /// </summary>
    public StaticKey Enable(KernelLog log)
    {
        if (Enabled > 0)
        {
            if (Enabled != 1)
            {
                log.WarnOnce("static_key_enable_cpuslocked", "atomic_read(&key->enabled) != 1");
            }

            return this;
        }

        return Enabled == 0 ? this with { Enabled = 1 } : this;
    }

    /// <summary>
    /// <c>static_key_disable_cpuslocked</c>: only 1 becomes 0; any other count stays, with a
    /// <c>WARN_ON_ONCE(enabled != 0)</c>.
    /// </summary>
    public StaticKey Disable(KernelLog log)
    {
        if (Enabled != 1)
        {
            if (Enabled != 0)
            {
                log.WarnOnce("static_key_disable_cpuslocked", "atomic_read(&key->enabled) != 0");
            }

            return this;
        }

        return this with { Enabled = 0 };
    }
}
