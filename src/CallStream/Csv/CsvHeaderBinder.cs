using System.Globalization;
using System.Text;

namespace CallStream.Csv;

/// <summary>
/// Reads a CSV header once per input: finds the contract columns (through the column map), keeps the rest as
/// attribute columns, and rejects a header that cannot be read with a message that suggests the column the user
/// probably meant. Apart from <see cref="CsvRowMapper"/> because none of it runs per row.
/// </summary>
internal static class CsvHeaderBinder
{
    /// <summary>Binds a header row to the contract columns (see <see cref="CsvRowMapper.Bind"/>).</summary>
    /// <param name="names">The header's names as read.</param>
    /// <param name="columnMap">Source header to the column it is read as.</param>
    /// <param name="source">The input's name, for messages.</param>
    /// <param name="line">The header's 1-based line, for messages.</param>
    /// <param name="maxAttributeColumns">The most attribute columns allowed.</param>
    /// <returns>The mapper for the rows below the header.</returns>
    /// <exception cref="CsvHeaderException">
    /// A name is empty, repeated or has a line break, there are too many attribute columns, or a required column is missing.
    /// </exception>
    public static CsvRowMapper Bind(IReadOnlyList<string> names, IDictionary<string, string> columnMap, string source, long line, int maxAttributeColumns = CsvReaderOptions.DefaultMaxAttributeColumns)
    {
        var map = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (from, to) in columnMap)
            map[from.Trim()] = to.Trim();

        var headers = new string[names.Count];
        int[] contract = new int[CsvColumns.All.Count];
        Array.Fill(contract, -1);
        var attributes = new List<(int, string)>();
        var byName = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        var byTarget = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        for (int i = 0; i < headers.Length; i++)
        {
            string name = headers[i] = names[i].Trim();
            if (name.Length == 0)
                throw new CsvHeaderException(source, line, i + 1, $"column {i + 1} has no name in the header row; name it or remove the column.");
            if (name.AsSpan().IndexOfAny('\r', '\n') >= 0)
                throw new CsvHeaderException(source, line, i + 1, $"header name '{name.ReplaceLineEndings(" ")}' contains a line break.");
            if (byName.TryGetValue(name, out int same))
                throw new CsvHeaderException(source, line, i + 1, $"duplicate header '{name}': columns {same + 1} and {i + 1} have the same name (names are compared ignoring case).");
            byName.Add(name, i);

            bool mapped = map.TryGetValue(name, out string? target);
            target ??= name;
            if (byTarget.TryGetValue(target, out int other))
            {
                throw new CsvHeaderException(source, line, i + 1,
                    $"column '{name}' is read as '{target}', which column {other + 1} ('{headers[other]}') already provides; remove one of them or change the column map.");
            }
            byTarget.Add(target, i);

            int index = IndexOfContractColumn(target);
            if (index >= 0)
                contract[index] = i;
            else
                attributes.Add((i, mapped ? target : name));
        }

        if (attributes.Count > maxAttributeColumns)
        {
            throw new CsvHeaderException(source, line, attributes[maxAttributeColumns].Item1 + 1, string.Create(CultureInfo.InvariantCulture,
                $"the header has {attributes.Count:N0} attribute columns (columns outside the contract); at most {maxAttributeColumns:N0} are allowed (CsvReaderOptions.MaxAttributeColumns)."));
        }

        var missing = new List<string>();
        int blame = 0;
        for (int c = 0; c < CsvColumns.Required.Count; c++)
        {
            if (contract[c] >= 0)
                continue;
            string wanted = CsvColumns.Required[c];
            var (ordinal, suggestion) = Suggest(wanted, attributes);
            if (suggestion is null)
            {
                missing.Add($"required column '{wanted}' is missing");
            }
            else
            {
                missing.Add($"required column '{wanted}' is missing; did you mean '{suggestion}' (column {ordinal + 1})? "
                    + $"To read it as {wanted}, map it in the column map ({suggestion} -> {wanted})");
                if (blame == 0)
                    blame = ordinal + 1;
            }
        }
        if (missing.Count > 0)
        {
            string found = string.Join(", ", headers);
            throw new CsvHeaderException(source, line, blame == 0 ? 1 : blame,
                string.Join("; ", missing) + $". The header has: {found}.");
        }
        return new CsvRowMapper(headers, contract, attributes);
    }

    private static int IndexOfContractColumn(string name)
    {
        for (int i = 0; i < CsvColumns.All.Count; i++)
        {
            if (string.Equals(CsvColumns.All[i], name, StringComparison.OrdinalIgnoreCase))
                return i;
        }
        return -1;
    }

    /// <summary>Finds the unclaimed header most like a missing column: same letters, a small edit distance, or a shared word.</summary>
    private static (int Ordinal, string? Name) Suggest(string wanted, List<(int Ordinal, string Name)> candidates)
    {
        string target = Letters(wanted);
        string[] wantedWords = Words(wanted);
        (int Ordinal, string? Name) best = (-1, null);
        int bestScore = int.MaxValue;
        foreach (var (ordinal, name) in candidates)
        {
            string letters = Letters(name);
            int distance = Distance(target, letters);
            int score;
            if (distance <= Math.Max(1, target.Length / 3))
                score = distance;
            else if (SharesWord(wantedWords, Words(name)))
                score = 1000 + distance;
            else
                continue;
            if (score < bestScore)
            {
                bestScore = score;
                best = (ordinal, name);
            }
        }
        return best;
    }

    private static string Letters(string name)
    {
        var text = new StringBuilder(name.Length);
        foreach (char c in name)
        {
            if (char.IsLetterOrDigit(c))
                text.Append(char.ToLowerInvariant(c));
        }
        return text.ToString();
    }

    /// <summary>Splits a name into lowercase words at non-letters and at lower-to-upper case changes.</summary>
    private static string[] Words(string name)
    {
        var words = new List<string>();
        var word = new StringBuilder();
        for (int i = 0; i < name.Length; i++)
        {
            char c = name[i];
            bool boundary = !char.IsLetterOrDigit(c) || (char.IsUpper(c) && i > 0 && char.IsLower(name[i - 1]));
            if (boundary && word.Length > 0)
            {
                words.Add(word.ToString());
                word.Clear();
            }
            if (char.IsLetterOrDigit(c))
                word.Append(char.ToLowerInvariant(c));
        }
        if (word.Length > 0)
            words.Add(word.ToString());
        return [.. words];
    }

    private static bool SharesWord(string[] wanted, string[] found)
    {
        foreach (string w in wanted)
        {
            foreach (string f in found)
            {
                if (w.Length >= 3 && f.Length >= 3 && (w.StartsWith(f, StringComparison.Ordinal) || f.StartsWith(w, StringComparison.Ordinal)))
                    return true;
            }
        }
        return false;
    }

    private static int Distance(string a, string b)
    {
        int[] previous = new int[b.Length + 1];
        int[] current = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++)
            previous[j] = j;
        for (int i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (int j = 1; j <= b.Length; j++)
            {
                int cost = a[i - 1] == b[j - 1] ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }
            (previous, current) = (current, previous);
        }
        return previous[b.Length];
    }
}
