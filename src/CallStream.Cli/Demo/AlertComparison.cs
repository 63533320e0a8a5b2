using CallStream.Ndjson;

namespace CallStream.Cli.Demo;

/// <summary>
/// Compares the alerts a run stored with the alerts expected (an in-process replay of the same file and rules): by id,
/// each alert in full, and counts the ids stored more than once.
/// </summary>
internal sealed class AlertComparison
{
    private AlertComparison(int expected, int stored, int duplicates, IReadOnlyList<string> missing, IReadOnlyList<string> unexpected, IReadOnlyList<string> different)
    {
        Expected = expected;
        Stored = stored;
        Duplicates = duplicates;
        Missing = missing;
        Unexpected = unexpected;
        Different = different;
    }

    /// <summary>Gets how many alerts were expected.</summary>
    public int Expected { get; }

    /// <summary>Gets how many alert lines were stored.</summary>
    public int Stored { get; }

    /// <summary>Gets how many stored lines repeat an id stored before.</summary>
    public int Duplicates { get; }

    /// <summary>Gets the ids expected but not stored.</summary>
    public IReadOnlyList<string> Missing { get; }

    /// <summary>Gets the ids stored but not expected.</summary>
    public IReadOnlyList<string> Unexpected { get; }

    /// <summary>Gets the ids stored with other contents than expected.</summary>
    public IReadOnlyList<string> Different { get; }

    /// <summary>Gets a value indicating whether the stored alerts are exactly the expected ones, each once.</summary>
    public bool Identical => Missing.Count == 0 && Unexpected.Count == 0 && Different.Count == 0 && Duplicates == 0;

    /// <summary>Compares stored alerts with expected ones.</summary>
    /// <param name="expected">The expected alerts.</param>
    /// <param name="stored">The stored alerts, in the order stored.</param>
    /// <returns>The comparison.</returns>
    public static AlertComparison Compare(IReadOnlyCollection<Alert> expected, IReadOnlyCollection<Alert> stored)
    {
        var byId = new Dictionary<string, Alert>(StringComparer.Ordinal);
        int duplicates = 0;
        foreach (var alert in stored)
        {
            if (!byId.TryAdd(alert.AlertId, alert))
                duplicates++;
        }
        var expectedIds = new HashSet<string>(StringComparer.Ordinal);
        var missing = new List<string>();
        var different = new List<string>();
        foreach (var alert in expected)
        {
            expectedIds.Add(alert.AlertId);
            if (!byId.TryGetValue(alert.AlertId, out var found))
                missing.Add(alert.AlertId);
            else if (!alert.Equals(found)) // every field, values included
                different.Add(alert.AlertId);
        }
        var unexpected = byId.Keys.Where(id => !expectedIds.Contains(id)).ToList();
        return new AlertComparison(expected.Count, stored.Count, duplicates, missing, unexpected, different);
    }

    /// <summary>Reads an NDJSON alert file (strictly: a bad line is an error).</summary>
    /// <param name="path">The file.</param>
    /// <returns>The alerts in file order; none when the file does not exist.</returns>
    public static List<Alert> ReadFile(string path)
    {
        if (!File.Exists(path))
            return [];
        using var stream = File.OpenRead(path);
        using var reader = NdjsonReader.ForAlerts(stream, new NdjsonReaderOptions { Strict = true });
        return [.. reader.ReadAll()];
    }

    /// <summary>Describes the differences in one line.</summary>
    /// <returns>The text.</returns>
    public string Describe() => Identical
        ? $"identical ({Stored} = {Expected}, same ids and contents)"
        : $"DIFFERENT: {Missing.Count} missing (e.g. {string.Join(", ", Missing.Take(3))}), {Unexpected.Count} unexpected (e.g. {string.Join(", ", Unexpected.Take(3))}), "
          + $"{Different.Count} with other contents (e.g. {string.Join(", ", Different.Take(3))}), {Duplicates} stored twice";
}
