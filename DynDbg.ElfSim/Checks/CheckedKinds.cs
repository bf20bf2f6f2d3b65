namespace DynDbg.ElfSim.Checks;

/// <summary>The stable names of <see cref="CheckedKind"/> in check's JSON and JUnit output.</summary>
public static class CheckedKinds
{
    public static string Name(this CheckedKind kind) => kind switch
    {
        CheckedKind.Mainline => "mainline",
        CheckedKind.Diet => "diet",
        CheckedKind.DietTransformed => "diet (transformed)",
        CheckedKind.Unreadable => "unreadable",
        _ => "none",
    };
}
