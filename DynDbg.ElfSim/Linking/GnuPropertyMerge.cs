using DynDbg.ElfSim.Arch;

namespace DynDbg.ElfSim.Linking;

/// <summary>
/// The outcome of the <c>.note.gnu.property</c> merge (<see cref="GnuPropertyMerger"/>): ld's map lines, the input
/// section that carries the merged note (null when every property was dropped), the merged list, and each input's
/// parsed properties, from which <see cref="Summary"/> says in words what happened.
/// </summary>
public sealed class GnuPropertyMerge
{
    private readonly IReadOnlyDictionary<InputObject, List<GnuProperty>> _inputs;
    private readonly IGnuPropertyRules _rules;

    internal GnuPropertyMerge(IReadOnlyList<string> log, InputSection? kept, IReadOnlyList<GnuProperty> result,
        IReadOnlyDictionary<InputObject, List<GnuProperty>> inputs, IGnuPropertyRules rules)
    {
        Log = log;
        Kept = kept;
        Result = result;
        _inputs = inputs;
        _rules = rules;
    }

    /// <summary>ld's minfo lines after "Merging program properties" in the map.</summary>
    public IReadOnlyList<string> Log { get; }

    public InputSection? Kept { get; }
    public IReadOnlyList<GnuProperty> Result { get; }

    /// <summary>For <c>explain</c>, e.g. "property notes merged into a.o's .note.gnu.property: BTI kept, PAC dropped (b.o lacks it)".</summary>
    public string Summary(IReadOnlyList<InputObject> loadOrder)
    {
        var where = Kept is null ? "property notes merged: every property dropped, no .note.gnu.property in the output"
            : $"property notes merged into {Kept.File.Path}'s .note.gnu.property";
        var parts = new List<string>();
        foreach (var type in _inputs.Values.SelectMany(l => l).Select(p => p.Type).Distinct().Order())
        {
            var name = _rules.TypeName(type);
            var bits = _inputs.Values.SelectMany(l => l).Where(p => p.Type == type).Aggregate(0UL, (a, p) => a | p.Number);
            var final = Result.FirstOrDefault(p => p.Type == type)?.Number ?? 0;
            if (name is null || bits == 0)
            {
                parts.Add($"0x{type:x} = 0x{final:x}");
                continue;
            }

            for (var bit = 1UL; bit != 0 && bit <= bits; bit <<= 1)
            {
                if ((bits & bit) == 0)
                {
                    continue;
                }

                var word = _rules.DescribeBits(type, bit);
                if ((final & bit) != 0)
                {
                    parts.Add($"{word} kept");
                    continue;
                }

                var lacking = loadOrder.FirstOrDefault(f => !_inputs.TryGetValue(f, out var l) || l.All(p => p.Type != type || (p.Number & bit) == 0));
                parts.Add(lacking is null ? $"{word} dropped" : $"{word} dropped ({lacking.Path} lacks it)");
            }
        }

        return parts.Count == 0 ? where : $"{where}: {string.Join(", ", parts)}";
    }
}
