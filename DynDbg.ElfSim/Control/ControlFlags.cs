using System.Text;

namespace DynDbg.ElfSim.Control;

/// <summary>The flag letters of 6.1 <c>opt_array</c> (reference §3.2/§3.3; invariant 26).</summary>
public static class ControlFlags
{
    public const uint Print = 1 << 0;
    public const uint InclModname = 1 << 1;
    public const uint InclFuncname = 1 << 2;
    public const uint InclLineno = 1 << 3;
    public const uint InclTid = 1 << 4;

    private static readonly (uint Bit, char Letter)[] OptArray61 =
    [
        (Print, 'p'), (InclModname, 'm'), (InclFuncname, 'f'), (InclLineno, 'l'), (InclTid, 't'),
    ];

    /// <summary><c>ddebug_describe_flags</c>: one letter per set bit in opt_array order, <c>_</c> when none.</summary>
    public static string Describe(uint flags)
    {
        var sb = new StringBuilder(6);
        foreach (var (bit, letter) in OptArray61)
        {
            if ((flags & bit) != 0)
            {
                sb.Append(letter);
            }
        }

        return sb.Length == 0 ? "_" : sb.ToString();
    }
}
