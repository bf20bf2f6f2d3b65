namespace DynDbg.ElfSim.Cli;

/// <summary>What <c>synth</c> was asked to write (<see cref="SynthCommand"/>).</summary>
public sealed record SynthRequest(string Output, string Arch, string? Profile, int? Modules, int Callsites, int Seed,
    string? Diet = null, string? Fault = null);
