namespace DynDbg.ElfSim.Control;

/// <summary>One printk line as <c>dmesg</c> shows it, <c>pr_fmt</c> prefix ("dyndbg: ") included.</summary>
public sealed record KernelLogLine(KernelLogLevel Level, string Text);
