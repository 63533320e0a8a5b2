namespace CallStream.Rules;

/// <summary>Finds the known name nearest to a misspelt one, for "did you mean" hints.</summary>
internal static class Spelling
{
    /// <summary>Gets the candidate nearest to a name by edit distance (ignoring case), or <see langword="null"/> when none is close.</summary>
    /// <param name="name">The name as written.</param>
    /// <param name="candidates">The known names.</param>
    /// <returns>
    /// The nearest candidate: within 1 edit for names of up to 4 characters, 2 up to 8, 3 beyond (comparing also with
    /// the candidate's first word, so <c>agnt</c> finds <c>agent_id</c>), or one the name begins; otherwise <see langword="null"/>.
    /// </returns>
    public static string? Nearest(string name, IEnumerable<string> candidates)
    {
        int allowed = name.Length switch
        {
            <= 2 => 0,
            <= 4 => 1,
            <= 8 => 2,
            _ => 3,
        };
        string? best = null;
        int bestDistance = int.MaxValue;
        foreach (string candidate in candidates)
        {
            int distance = Distance(name, candidate);
            int underscore = candidate.IndexOf('_', StringComparison.Ordinal);
            if (underscore >= 3)
                distance = Math.Min(distance, Distance(name, candidate[..underscore]));
            bool prefix = candidate.Length > name.Length && name.Length >= 3
                && candidate.StartsWith(name, StringComparison.OrdinalIgnoreCase);
            if (prefix)
                distance = Math.Min(distance, allowed);
            if (distance <= allowed && distance < bestDistance)
            {
                best = candidate;
                bestDistance = distance;
            }
        }
        return best;
    }

    /// <summary>The optimal-string-alignment distance (insertions, deletions, substitutions, adjacent transpositions), ignoring case.</summary>
    public static int Distance(string a, string b)
    {
        if (a.Length > 64 || b.Length > 64)
            return Math.Max(a.Length, b.Length);
        var previous2 = new int[b.Length + 1];
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++)
            previous[j] = j;
        for (int i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (int j = 1; j <= b.Length; j++)
            {
                int cost = char.ToLowerInvariant(a[i - 1]) == char.ToLowerInvariant(b[j - 1]) ? 0 : 1;
                int value = Math.Min(Math.Min(previous[j] + 1, current[j - 1] + 1), previous[j - 1] + cost);
                if (i > 1 && j > 1 && char.ToLowerInvariant(a[i - 1]) == char.ToLowerInvariant(b[j - 2])
                    && char.ToLowerInvariant(a[i - 2]) == char.ToLowerInvariant(b[j - 1]))
                    value = Math.Min(value, previous2[j - 2] + 1);
                current[j] = value;
            }
            (previous2, previous, current) = (previous, current, previous2);
        }
        return previous[b.Length];
    }
}
