namespace DynDbg.ElfSim.Checks;

/// <summary>What <c>check</c> found a file to be; <see cref="CheckedKinds.Name"/> is the JSON/JUnit spelling.</summary>
public enum CheckedKind
{
    /// <summary>No dyndbg table: nothing to check, a pass.</summary>
    None,

    /// <summary>A mainline table that decodes.</summary>
    Mainline,

    /// <summary>A diet-plan image: static and post-load checks.</summary>
    Diet,

    /// <summary>A mainline table transformed to diet objects, linked and checked (<c>check --diet</c>).</summary>
    DietTransformed,

    /// <summary>Malformed or missing input (<see cref="FileCheck.Unreadable"/>).</summary>
    Unreadable,
}
