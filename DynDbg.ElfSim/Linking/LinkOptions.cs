namespace DynDbg.ElfSim.Linking;

/// <summary>Options of a link: the output name (for the map), how <c>.gnu.linkonce.*</c> sections are treated, and
/// whether the map demangles C++ (and legacy Rust) symbol names, as ld does unless <c>--no-demangle</c>.</summary>
public sealed record LinkOptions(string OutputName = "a.out", LinkOnceRule LinkOnce = LinkOnceRule.Gnu, bool Demangle = true);
