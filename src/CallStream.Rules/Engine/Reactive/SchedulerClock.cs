using System.Reactive.Concurrency;

namespace CallStream.Rules;

/// <summary>
/// The clock of an <see cref="IScheduler"/> as a <see cref="TimeProvider"/>, so that the engine measures its idle
/// timeout in the same time as the scheduler that fires its timer: virtual time under a <c>HistoricalScheduler</c>,
/// a monotonic stopwatch under <see cref="Scheduler.Default"/>.
/// </summary>
internal sealed class SchedulerClock : TimeProvider
{
    private readonly IScheduler _scheduler;
    private readonly IStopwatch _stopwatch;

    public SchedulerClock(IScheduler scheduler)
    {
        _scheduler = scheduler;
        _stopwatch = scheduler.StartStopwatch();
    }

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override long GetTimestamp() => _stopwatch.Elapsed.Ticks;

    public override DateTimeOffset GetUtcNow() => _scheduler.Now.ToUniversalTime();
}
