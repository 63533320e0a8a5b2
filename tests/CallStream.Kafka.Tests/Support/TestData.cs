using System.Globalization;

namespace CallStream.Kafka.Tests.Support;

/// <summary>Deterministic interactions and alerts for round trips.</summary>
internal static class TestData
{
    public static readonly DateTimeOffset Start = new(2024, 3, 1, 9, 0, 0, TimeSpan.Zero);

    /// <summary>Interaction <c>i-{n}</c> of customer <c>c-{n % customers}</c>, one minute after the previous one; every third has attributes.</summary>
    public static Interaction Interaction(int n, int customers = 20) => new(
        "i-" + n.ToString("D6", CultureInfo.InvariantCulture),
        "c-" + (n % customers).ToString(CultureInfo.InvariantCulture),
        "agent-" + (n % 7).ToString(CultureInfo.InvariantCulture),
        (Channel)(n % 4),
        Start.AddMinutes(n),
        durationSeconds: 30 + (n % 600) + 0.25,
        (Outcome)(n % 3),
        satisfaction: n % 6 == 0 ? null : 1 + (n % 5),
        attributes: n % 3 == 0 ? [new("queue", "q" + (n % 4).ToString(CultureInfo.InvariantCulture)), new("note", "needs \"follow-up\", ünïcode")] : null);

    public static List<Interaction> Interactions(int count, int first = 0, int customers = 20) =>
        [.. Enumerable.Range(first, count).Select(n => Interaction(n, customers))];

    public static Alert Alert(int n) => new(
        "long-calls", Severity.Warning, "agent-" + (n % 5).ToString(CultureInfo.InvariantCulture),
        "i-" + n.ToString("D6", CultureInfo.InvariantCulture), Start.AddMinutes(n), $"alert {n}",
        Start.AddMinutes(n - 60), Start.AddMinutes(n), [new AlertValue("count(*)", n)]);
}
