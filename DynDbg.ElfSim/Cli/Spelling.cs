namespace DynDbg.ElfSim.Cli;

/// <summary>"Did you mean": the closest known name by edit distance (as git and cargo suggest), if it is close.</summary>
internal static class Spelling
{
    /// <summary>The known name nearest to <paramref name="typed"/>, or null when none is within a third of its length (at least 1, at most 3 edits).</summary>
    public static string? Nearest(string typed, IEnumerable<string> known)
    {
        var limit = Math.Clamp(typed.Length / 3, 1, 3);
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var k in known)
        {
            var d = Distance(typed, k);
            if (d <= limit && d < bestDistance)
            {
                (best, bestDistance) = (k, d);
            }
        }

        return best;
    }

    /// <summary>Optimal string alignment distance: insertions, deletions, substitutions and swaps of neighbours ("laod").</summary>
    private static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }

        for (var j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
                }
            }
        }

        return d[a.Length, b.Length];
    }
}
