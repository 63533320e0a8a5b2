using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace CallStream.Kafka.Native;

/// <summary>
/// Wakes a mock cluster's thread when a command to it is slow to be served.
/// </summary>
/// <remarks>
/// <para>
/// librdkafka 2.16.0's mock cluster thread can miss the wake-up of its command queue: it serves the queue after
/// <c>poll()</c> returns and only then drains the wake-up pipe, so a command enqueued in between sits until the poll
/// times out, one second later. Sequential fault injections stall that way now and then; concurrent ones almost always.
/// </para>
/// <para>
/// Any event on a polled socket makes the thread serve its queue, so while a command is pending for longer than
/// <see cref="FirstNudge"/>, this opens and at once closes a loopback TCP connection to each broker listener (the mock
/// accepts it, sees it closed, and drops it; no Kafka request is sent, so request tracking and error stacks are
/// unaffected). A broker that is down is not polled, so its listener cannot wake the thread; while every broker is
/// down commands may still take up to a second.
/// </para>
/// </remarks>
internal sealed class MockThreadWaker
{
    /// <summary>How long a command may take before the first nudge; commands served normally take microseconds.</summary>
    internal static readonly TimeSpan FirstNudge = TimeSpan.FromMilliseconds(15);

    /// <summary>How often to nudge again while the command is still pending.</summary>
    internal static readonly TimeSpan NudgeInterval = TimeSpan.FromMilliseconds(100);

    private readonly IPEndPoint[] _listeners;

    /// <summary>Creates a waker for the brokers in a mock cluster's bootstrap list.</summary>
    /// <param name="bootstrapServers">The <c>host:port</c> list, comma-separated, as the mock cluster reports it.</param>
    internal MockThreadWaker(string bootstrapServers)
    {
        _listeners = ParseEndpoints(bootstrapServers);
    }

    /// <summary>Gets the broker listeners that are nudged.</summary>
    internal IReadOnlyList<IPEndPoint> Listeners => _listeners;

    /// <summary>Starts watching one command; dispose the result when the command returns.</summary>
    /// <returns>The watch.</returns>
    internal Watch Start() => new(new Timer(static state => ((MockThreadWaker)state!).Nudge(), this, FirstNudge, NudgeInterval));

    /// <summary>Parses <c>host:port,host:port</c> with IPv4 literal hosts, as the mock reports its listeners.</summary>
    /// <param name="bootstrapServers">The list.</param>
    /// <returns>The endpoints; entries that are not an IP literal and a port are skipped.</returns>
    internal static IPEndPoint[] ParseEndpoints(string bootstrapServers)
    {
        var result = new List<IPEndPoint>();
        foreach (var entry in bootstrapServers.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var colon = entry.LastIndexOf(':');
            if (colon <= 0
                || !IPAddress.TryParse(entry.AsSpan(0, colon), out var address)
                || !int.TryParse(entry.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port)
                || port is < IPEndPoint.MinPort or > IPEndPoint.MaxPort)
            {
                continue;
            }

            result.Add(new IPEndPoint(address, port));
        }

        return [.. result];
    }

    private void Nudge()
    {
        foreach (var listener in _listeners)
        {
            try
            {
                using var socket = new Socket(listener.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
                socket.Connect(listener);
            }
            catch (SocketException)
            {
                // A listener that refuses (the cluster is going away) needs no wake-up.
            }
        }
    }

    /// <summary>Watches one command; stops nudging when disposed.</summary>
    internal readonly struct Watch(Timer timer) : IDisposable
    {
        /// <inheritdoc/>
        public void Dispose() => timer.Dispose();
    }
}
