namespace DynDbg.ElfSim.Reports;

/// <summary>One <c>load --sections --dump NAME</c>: the section's loaded address and bytes, and what the relocation
/// emulation could not apply (LoadedModule's notes).</summary>
public sealed record SectionDump(string Name, ulong Address, byte[] Bytes, IReadOnlyList<string> Notes);
