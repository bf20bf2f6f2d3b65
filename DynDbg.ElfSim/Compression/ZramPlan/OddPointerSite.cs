namespace DynDbg.ElfSim.Compression.ZramPlan;

/// <summary>
/// One record the 2020 plan's <c>% 2</c> test would take for a zhandle: where it is (<c>file:line function</c>, as
/// the control file names it) and which of its pointer fields hold an odd final address.
/// </summary>
public sealed record OddPointerSite(string File, int Index, string Filename, uint Line, string Function, IReadOnlyList<string> Fields)
{
    public override string ToString() => $"{Filename}:{Line} {Function} ({string.Join(", ", Fields)})";
}
