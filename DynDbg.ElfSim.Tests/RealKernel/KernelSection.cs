namespace DynDbg.ElfSim.Tests.RealKernel;

/// <summary>
/// Where the booted kernel put one section of a loaded module (/sys/module/&lt;module&gt;/sections/&lt;name&gt;,
/// nokaslr), with the region it falls in: core is [/proc/modules base, + coresize); everything else is init,
/// whose base is its lowest section address (the first section the loader lays out is at offset 0, reference §2).
/// </summary>
public sealed record KernelSection(string Module, string Name, ulong Address, string Region, ulong Offset);
