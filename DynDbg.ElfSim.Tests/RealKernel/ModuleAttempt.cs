namespace DynDbg.ElfSim.Tests.RealKernel;

/// <summary>One line of the capture's modules.tsv: the harness ran insmod on <see cref="Path"/> (relative to
/// lib/modules/&lt;abi&gt;); <see cref="Loaded"/> when /sys/module/&lt;name&gt;/initstate said "live" afterwards.</summary>
public sealed record ModuleAttempt(int Seq, string Name, string Path, bool Loaded, string Message);
