namespace DynDbg.ElfSim.Control;

/// <summary>The printk levels <c>lib/dynamic_debug.c</c> uses.</summary>
public enum KernelLogLevel
{
    Err = 3,
    Warning = 4,
    Info = 6,
}
