using System.Text;

namespace DynDbg.ElfSim.Control;

/// <summary>
/// One version of <c>opt_array</c>: the flag letters a kernel accepts in a flags spec and prints in the control
/// file, in order (reference §3.3). 6.1 has <c>p m f l t _</c>; later mainline inserts <c>s</c> after <c>f</c>
/// ("dyndbg: add source filename to prefix", 2023), which also adds the file name to the message prefix.
/// </summary>
public sealed class FlagLetters
{
    private readonly (uint Bit, char Letter)[] optArray;

    private FlagLetters(string name, (uint Bit, char Letter)[] optArray)
    {
        Name = name;
        this.optArray = optArray;
        // D (diet) is an action, not a decoration.
        InclAny = optArray.Aggregate(0u, (a, o) => a | o.Bit) & ~(ControlFlags.Print | ControlFlags.DeleteSite);
    }

    /// <summary>6.1: <c>p m f l t _</c>.</summary>
    public static FlagLetters Linux61 { get; } = new("pmflt",
    [
        (ControlFlags.Print, 'p'), (ControlFlags.InclModname, 'm'), (ControlFlags.InclFuncname, 'f'),
        (ControlFlags.InclLineno, 'l'), (ControlFlags.InclTid, 't'), (0, '_'),
    ]);

    /// <summary>Later mainline: <c>p m f s l t _</c>.</summary>
    public static FlagLetters WithSourceName { get; } = new("pmfslt",
    [
        (ControlFlags.Print, 'p'), (ControlFlags.InclModname, 'm'), (ControlFlags.InclFuncname, 'f'),
        (ControlFlags.InclSourcename, 's'), (ControlFlags.InclLineno, 'l'), (ControlFlags.InclTid, 't'), (0, '_'),
    ]);

    /// <summary>
    /// Diet v5 (on 5.13): <c>p m f l t _ D</c>. v5 12/28 appends <c>D</c> after <c>_</c> unconditionally; only the
    /// deletion itself is under <c>SITE_CHK</c> (24/28), so every diet variant accepts and shows the letter
    /// (reference §3.3, §6.3, §6.13). Not a <c>--flags</c> choice: diet images select it.
    /// </summary>
    public static FlagLetters DietV5 { get; } = new("pmfltD",
    [
        (ControlFlags.Print, 'p'), (ControlFlags.InclModname, 'm'), (ControlFlags.InclFuncname, 'f'),
        (ControlFlags.InclLineno, 'l'), (ControlFlags.InclTid, 't'), (0, '_'), (ControlFlags.DeleteSite, 'D'),
    ]);

    public static IReadOnlyList<FlagLetters> All { get; } = [Linux61, WithSourceName];

    /// <summary>The letters without <c>_</c>, e.g. "pmflt"; also the name used on the command line.</summary>
    public string Name { get; }

    /// <summary><c>_DPRINTK_FLAGS_INCL_ANY</c>: every decoration bit of this version.</summary>
    public uint InclAny { get; }

    public static FlagLetters? ByName(string name) => All.FirstOrDefault(f => f.Name == name);

    /// <summary><c>ddebug_describe_flags</c>: one letter per set bit in opt_array order, <c>_</c> when none.</summary>
    public string Describe(uint flags)
    {
        var sb = new StringBuilder(optArray.Length);
        foreach (var (bit, letter) in optArray)
        {
            if ((flags & bit) != 0)
            {
                sb.Append(letter);
            }
        }

        return sb.Length == 0 ? "_" : sb.ToString();
    }

    /// <summary>
    /// The bit for one letter of a flags spec, searching opt_array backwards as <c>ddebug_parse_flags</c> does;
    /// <c>_</c> is 0. False for a letter this version does not know.
    /// </summary>
    public bool TryLookup(byte letter, out uint bit)
    {
        for (var i = optArray.Length - 1; i >= 0; i--)
        {
            if (optArray[i].Letter == letter)
            {
                bit = optArray[i].Bit;
                return true;
            }
        }

        bit = 0;
        return false;
    }

    public override string ToString() => Name;
}
