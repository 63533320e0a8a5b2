using System.Threading.Channels;
using Microsoft.Extensions.Time.Testing;

namespace CallStream.Tests.Pipeline;

/// <summary>A virtual clock that tells when a timer is created and with which due time, so that a test advances the
/// clock only once a delay is waiting on it.</summary>
internal sealed class TimerWatchingTimeProvider : FakeTimeProvider
{
    private readonly Channel<TimeSpan> _timers = global::System.Threading.Channels.Channel.CreateUnbounded<TimeSpan>();

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = base.CreateTimer(callback, state, dueTime, period);
        _timers.Writer.TryWrite(dueTime);
        return timer;
    }

    /// <summary>Completes when a timer due after <paramref name="dueTime"/> has been created (since the last such wait).</summary>
    public async Task WaitForTimerAsync(TimeSpan dueTime)
    {
        await foreach (var created in _timers.Reader.ReadAllAsync())
        {
            if (created == dueTime)
                return;
        }
    }
}
