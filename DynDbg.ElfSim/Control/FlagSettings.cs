namespace DynDbg.ElfSim.Control;

/// <summary>6.1 <c>struct flag_settings</c>: a matched site's flags become <c>(flags &amp; Mask) | Flags</c>.</summary>
public readonly record struct FlagSettings(uint Flags, uint Mask)
{
    public uint Apply(uint old) => (old & Mask) | Flags;
}
