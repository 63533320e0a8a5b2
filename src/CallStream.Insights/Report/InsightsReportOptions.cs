namespace CallStream.Insights;

/// <summary>What the insights report computes and how it is labelled (see <see cref="InsightsReport"/>).</summary>
public sealed class InsightsReportOptions
{
    /// <summary>Gets or sets the page's title.</summary>
    /// <value>The default value is <c>CallStream insights</c>.</value>
    public string Title { get; set; } = "CallStream insights";

    /// <summary>Gets or sets where the data came from, shown under the title (a file name, a MongoDB host; never a password).</summary>
    /// <value>The default value is <see langword="null"/>: not shown.</value>
    public string? Source { get; set; }

    /// <summary>Gets or sets how many rows the per-agent and per-customer charts show.</summary>
    /// <value>The default value is 10.</value>
    public int Top { get; set; } = DashboardQueries.DefaultTop;

    /// <summary>Gets or sets how many alerts the table of top alerts lists.</summary>
    /// <value>The default value is 20.</value>
    public int TopAlerts { get; set; } = 20;

    /// <summary>Gets or sets the threshold of "agents with the most long interactions", in seconds.</summary>
    /// <value>The default value is 3000 seconds (<see cref="DashboardQueries.LongInteractionSeconds"/>).</value>
    public double LongInteractionSeconds { get; set; } = DashboardQueries.LongInteractionSeconds;

    /// <summary>Gets or sets the clock that stamps <see cref="InsightsReportFigures.GeneratedAt"/>.</summary>
    /// <value>The default value is <see cref="TimeProvider.System"/>.</value>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Checks the options and throws a message naming the option that is wrong.</summary>
    /// <exception cref="ArgumentException">An option is invalid.</exception>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Title, nameof(Title));
        ArgumentNullException.ThrowIfNull(TimeProvider, nameof(TimeProvider));
        if (Top is < 1 or > 1000)
            throw new ArgumentOutOfRangeException(nameof(Top), Top, "InsightsReportOptions.Top must be from 1 to 1000.");
        if (TopAlerts is < 1 or > 10_000)
            throw new ArgumentOutOfRangeException(nameof(TopAlerts), TopAlerts, "InsightsReportOptions.TopAlerts must be from 1 to 10000.");
        if (!double.IsFinite(LongInteractionSeconds) || LongInteractionSeconds < 0)
            throw new ArgumentOutOfRangeException(nameof(LongInteractionSeconds), LongInteractionSeconds, "InsightsReportOptions.LongInteractionSeconds must be a finite number of seconds, 0 or more.");
    }
}
