namespace DynDbg.ElfSim.Linking;

/// <summary>Options of a link: the output name (for the map) and how <c>.gnu.linkonce.*</c> sections are treated.</summary>
public sealed record LinkOptions(string OutputName = "a.out", LinkOnceRule LinkOnce = LinkOnceRule.Gnu);
