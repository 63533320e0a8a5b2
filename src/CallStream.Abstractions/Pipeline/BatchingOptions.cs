using System.ComponentModel.DataAnnotations;

namespace CallStream.Pipeline;

/// <summary>How the pipeline buffers, batches and retries writes to a sink (the <c>batching</c> argument of
/// <see cref="ICallStreamBuilder.AddAlertSink"/> and <see cref="ICallStreamBuilder.AddInteractionSink"/>).</summary>
public sealed class BatchingOptions
{
    /// <summary>Gets or sets the largest batch handed to the sink at once.</summary>
    /// <value>The default value is 1000.</value>
    [Range(1, 1_000_000)]
    public int BatchSize { get; set; } = 1000;

    /// <summary>Gets or sets the longest time an item waits in a partial batch before the batch is written.</summary>
    /// <value>The default value is 1 second.</value>
    public TimeSpan FlushInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Gets or sets how many items may wait for the sink; when full, writers wait (backpressure).</summary>
    /// <value>The default value is 10,000.</value>
    [Range(1, 10_000_000)]
    public int QueueCapacity { get; set; } = 10_000;

    /// <summary>Gets or sets how many times a failing batch is tried before the sink is declared failed.</summary>
    /// <value>The default value is 8.</value>
    [Range(1, 1000)]
    public int MaxAttempts { get; set; } = 8;

    /// <summary>Gets or sets the delay before the first retry; it doubles with each retry up to <see cref="MaxRetryDelay"/>.</summary>
    /// <value>The default value is 200 milliseconds.</value>
    public TimeSpan FirstRetryDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Gets or sets the longest delay between two attempts.</summary>
    /// <value>The default value is 30 seconds.</value>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Checks the options and throws a message naming the option that is wrong.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public void Validate()
    {
        Check(BatchSize is >= 1 and <= 1_000_000, nameof(BatchSize), BatchSize, "must be from 1 to 1,000,000");
        Check(FlushInterval > TimeSpan.Zero, nameof(FlushInterval), FlushInterval, "must be positive");
        Check(QueueCapacity is >= 1 and <= 10_000_000, nameof(QueueCapacity), QueueCapacity, "must be from 1 to 10,000,000");
        Check(MaxAttempts is >= 1 and <= 1000, nameof(MaxAttempts), MaxAttempts, "must be from 1 to 1000");
        Check(FirstRetryDelay >= TimeSpan.Zero, nameof(FirstRetryDelay), FirstRetryDelay, "must not be negative");
        Check(MaxRetryDelay >= FirstRetryDelay, nameof(MaxRetryDelay), MaxRetryDelay, "must be at least FirstRetryDelay");
    }

    private static void Check(bool ok, string name, object value, string rule)
    {
        if (!ok)
            throw new ArgumentOutOfRangeException(name, value, $"BatchingOptions.{name} {rule} (was {value}).");
    }
}
