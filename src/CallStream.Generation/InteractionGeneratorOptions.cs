using System.ComponentModel.DataAnnotations;

namespace CallStream.Generation;

/// <summary>
/// Settings of the <see cref="InteractionGenerator"/>: the seed, the calendar, the size of the contact centre and how
/// many anomalies to plant per working day. The defaults reproduce the original contact-centre system.
/// </summary>
public sealed class InteractionGeneratorOptions
{
    /// <summary>Gets or sets the seed: the same seed and settings give the same log, byte for byte.</summary>
    /// <value>The default value is 42.</value>
    public long Seed { get; set; } = 42;

    /// <summary>Gets or sets the first day of the log; a Saturday or Sunday moves to the following Monday.</summary>
    /// <value>The default value is Monday 2025-01-06.</value>
    public DateOnly StartDate { get; set; } = new(2025, 1, 6);

    /// <summary>Gets or sets when the working day starts, in UTC. No interaction starts before it.</summary>
    /// <value>The default value is 08:00.</value>
    public TimeOnly WorkdayStart { get; set; } = new(8, 0);

    /// <summary>Gets or sets when the working day ends, in UTC. Every interaction starts before it.</summary>
    /// <value>The default value is 18:00.</value>
    public TimeOnly WorkdayEnd { get; set; } = new(18, 0);

    /// <summary>Gets or sets how many interactions a full working day holds; the log fills consecutive weekdays.</summary>
    /// <value>The default value is 10,000 (about 15 contacts per agent and day).</value>
    [Range(100, 10_000_000)]
    public int InteractionsPerDay { get; set; } = 10_000;

    /// <summary>Gets or sets the number of agents, with ids <c>A0001</c>, <c>A0002</c>, ….</summary>
    /// <value>The default value is 676, the size of the original contact centre.</value>
    [Range(20, 99_999)]
    public int AgentCount { get; set; } = 676;

    /// <summary>Gets or sets the number of customers, with ids of 6 lowercase hex digits (<c>3fa9c1</c>).</summary>
    /// <value>The default value is 5,000.</value>
    [Range(100, 1_000_000)]
    public int CustomerCount { get; set; } = 5_000;

    /// <summary>
    /// Gets or sets how many customers per day get a planted burst of 5 to 7 failed contacts within 50 minutes (the
    /// <c>RepeatedFailures</c> pattern: 5 or more failed contacts within an hour).
    /// </summary>
    /// <value>The default value is 2.</value>
    [Range(0, 10)]
    public int FailureBurstsPerDay { get; set; } = 2;

    /// <summary>
    /// Gets or sets how many agents fail about two thirds of their 12 to 18 contacts every day (the
    /// <c>AgentFailureRate</c> pattern: a failure rate above 50 % over a day with 10 or more contacts).
    /// </summary>
    /// <value>The default value is 2.</value>
    [Range(0, 10)]
    public int FailingAgentCount { get; set; } = 2;

    /// <summary>Gets or sets how many voice calls per day last longer than 3,000 s (50 minutes), up to 3,600 s.</summary>
    /// <value>The default value is 3.</value>
    [Range(0, 100)]
    public int LongCallsPerDay { get; set; } = 3;

    /// <summary>
    /// Gets or sets how many video calls per day last longer than <see cref="InteractionGenerator.MaxNaturalDurationSeconds"/>
    /// (45 minutes), up to 3,600 s.
    /// </summary>
    /// <value>The default value is 2.</value>
    [Range(0, 100)]
    public int LongVideoCallsPerDay { get; set; } = 2;

    /// <summary>
    /// Gets or sets how many whole clock hours per day one channel (email, chat or voice) is in trouble: about half of
    /// its contacts that would be resolved come out problematic (the <c>ProblematicSpike</c> pattern: 35 % or more of
    /// a channel's contacts problematic within an hour, once 50 have come in). The rows outside those hours stay as
    /// they would be without them.
    /// </summary>
    /// <value>The default value is 1.</value>
    [Range(0, 3)]
    public int ChannelIncidentsPerDay { get; set; } = 1;

    /// <summary>Checks the settings and throws when one is out of range.</summary>
    /// <exception cref="ArgumentException">A setting is invalid; the message names it and its allowed range.</exception>
    public void Validate()
    {
        var errors = new List<ValidationResult>();
        Validator.TryValidateObject(this, new ValidationContext(this), errors, validateAllProperties: true);
        var messages = errors.Select(e => e.ErrorMessage ?? "invalid value").ToList();
        if (WorkdayEnd <= WorkdayStart)
            messages.Add($"WorkdayEnd ({WorkdayEnd:HH\\:mm}) must be later than WorkdayStart ({WorkdayStart:HH\\:mm}).");
        else if ((WorkdayEnd - WorkdayStart) < TimeSpan.FromHours(2))
            messages.Add("The working day (WorkdayStart to WorkdayEnd) must last at least 2 hours.");
        if (AgentCount < FailingAgentCount + (FailureBurstsPerDay * InteractionGenerator.MaxBurstLength) + 10)
            messages.Add($"AgentCount ({AgentCount}) is too small for {FailingAgentCount} failing agents and {FailureBurstsPerDay} failure bursts a day.");
        if (StartDate.Year > 9000)
            messages.Add($"StartDate ({StartDate:yyyy-MM-dd}) must be before the year 9000.");
        if (messages.Count > 0)
            throw new ArgumentException("Invalid generator options: " + string.Join(" ", messages));
    }

    /// <summary>Returns a copy of these settings, so a generator is not affected by later changes.</summary>
    /// <returns>The copy.</returns>
    internal InteractionGeneratorOptions Clone() => (InteractionGeneratorOptions)MemberwiseClone();
}
