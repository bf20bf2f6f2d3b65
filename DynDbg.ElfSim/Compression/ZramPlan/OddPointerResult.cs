namespace DynDbg.ElfSim.Compression.ZramPlan;

/// <summary>
/// The <c>% 2</c> test over one input's records (or the sum over inputs): per pointer field the records whose final
/// address is odd, the records with any odd pointer, the first few of them by name, and the <c>is_zhandle</c> flag's
/// answer. <see cref="LayoutDependent"/> counts records with a pointer whose final parity this input cannot fix
/// (a relocatable built-in object's byte-aligned or string-merged sections, which the final vmlinux link places).
/// </summary>
public sealed record OddPointerResult(
    int Records,
    int Modname,
    int Function,
    int Filename,
    int Format,
    int LayoutDependent,
    string Placement,
    IReadOnlyList<OddPointerSite> First,
    ZhandleFlag? Flag)
{
    /// <summary>How many odd records are named.</summary>
    public const int Named = 5;

    public static OddPointerResult None(string placement) => new(0, 0, 0, 0, 0, 0, placement, [], null);

    /// <summary>The sum over inputs; the flag's answer is summed, its layout facts kept when all inputs share them.</summary>
    public static OddPointerResult Total(IReadOnlyList<OddPointerResult> parts)
    {
        var flags = parts.Select(p => p.Flag).OfType<ZhandleFlag>().ToList();
        ZhandleFlag? flag = null;
        if (flags.Count > 0)
        {
            var f = flags[0];
            var same = flags.All(x => x.Bit == f.Bit && x.FreeFlagBits == f.FreeFlagBits && x.PaddingBytes == f.PaddingBytes && x.CostBytes == f.CostBytes);
            flag = new ZhandleFlag(f.Bit, same ? f.FreeFlagBits : -1, same ? f.PaddingBytes : -1, flags.Max(x => x.CostBytes),
                flags.Sum(x => x.MisreadsByParity), flags.Sum(x => x.MisreadsWithFlag));
        }

        var placements = parts.Select(p => p.Placement).Distinct().ToList();
        return new OddPointerResult(parts.Sum(p => p.Records), parts.Sum(p => p.Modname), parts.Sum(p => p.Function),
            parts.Sum(p => p.Filename), parts.Sum(p => p.Format), parts.Sum(p => p.LayoutDependent),
            string.Join("; ", placements), parts.SelectMany(p => p.First).Take(Named).ToList(), flag);
    }
}
