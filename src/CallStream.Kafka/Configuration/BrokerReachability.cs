using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Confluent.Kafka;

namespace CallStream.Kafka;

/// <summary>
/// Tells, when a client starts, whether any broker answers within <see cref="KafkaClientOptions.ConnectTimeout"/>:
/// librdkafka itself retries an unreachable cluster for ever (a consumer) or until each message times out (a producer,
/// 2 minutes), so a wrong address would otherwise show only as silence.
/// </summary>
internal static partial class BrokerReachability
{
    private static readonly TimeSpan Slice = TimeSpan.FromMilliseconds(500);

    /// <summary>Asks for the topic's metadata through the client's own connections until a broker answers.</summary>
    /// <param name="client">The client (a producer or a consumer).</param>
    /// <param name="topic">The topic the client works with (metadata of one topic is a cheap request).</param>
    /// <param name="timeout">How long to try, or <see cref="Timeout.InfiniteTimeSpan"/>.</param>
    /// <param name="cancellationToken">Stops trying.</param>
    /// <param name="serveCallbacks">Serves the client's error callbacks between attempts (a consumer reports errors only when polled), or <see langword="null"/>.</param>
    /// <returns>The brokers' answer; <see langword="null"/> when none answered in time, or when cancelled.</returns>
    public static Metadata? WaitForBroker(IClient client, string topic, TimeSpan timeout, CancellationToken cancellationToken, Action? serveCallbacks = null)
    {
        using var admin = new DependentAdminClientBuilder(client.Handle).Build();
        var clock = Stopwatch.StartNew();
        while (!cancellationToken.IsCancellationRequested)
        {
            var remaining = timeout == Timeout.InfiniteTimeSpan ? Slice : timeout - clock.Elapsed;
            if (remaining <= TimeSpan.Zero)
                return null;
            try
            {
                return admin.GetMetadata(topic, remaining < Slice ? remaining : Slice);
            }
            catch (KafkaException)
            {
                // No broker answered within the slice; librdkafka keeps reconnecting meanwhile.
            }

            serveCallbacks?.Invoke();
        }

        return null;
    }

    /// <summary>The error a client reports when no broker answered within the connect timeout.</summary>
    /// <param name="servers">The bootstrap servers tried.</param>
    /// <param name="timeout">The connect timeout.</param>
    /// <param name="lastError">The last connection error the client reported, or <see langword="null"/>.</param>
    /// <returns>The exception, whose message names the servers (user information masked) and the last error.</returns>
    public static KafkaException Unreachable(string servers, TimeSpan timeout, Error? lastError)
    {
        string seconds = timeout.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture);
        string reason = $"no Kafka broker answered at {RedactServers(servers)} within {seconds} s";
        if (lastError is not null && !string.IsNullOrWhiteSpace(lastError.Reason))
            reason += $" (last error: {Describe(lastError.Reason)})";
        return new KafkaException(new Error(ErrorCode.Local_AllBrokersDown, reason + "."));
    }

    /// <summary>Tells whether an error a client reported is about reaching brokers (worth quoting when none answers).</summary>
    public static bool IsConnectionError(Error error) => error.Code is ErrorCode.Local_Transport or ErrorCode.Local_Resolve
        or ErrorCode.Local_Authentication or ErrorCode.Local_Ssl or ErrorCode.SaslAuthenticationFailed or ErrorCode.Local_TimedOut;

    /// <summary>
    /// Makes a librdkafka connection error readable and stable: drops the timing suffix
    /// (<c>(after 0ms in state CONNECT, 3 identical error(s) suppressed)</c>) that makes each repetition a new line,
    /// and masks user information in broker addresses.
    /// </summary>
    /// <param name="reason">librdkafka's text.</param>
    /// <returns>The text to show.</returns>
    public static string Describe(string reason) => RedactServers(TimingSuffix().Replace(reason, string.Empty).Trim());

    /// <summary>Masks the password of <c>user:password@host</c> forms in a list of servers or an error text.</summary>
    /// <param name="text">The text.</param>
    /// <returns>The text with each password shown as <c>***</c>.</returns>
    public static string RedactServers(string text) => UserInfo().Replace(text, "${user}:" + KafkaConfigRedactor.Mask + "@");

    [GeneratedRegex(@"\s*\(after \d+ms in state [A-Z_]+(, \d+ identical error\(s\) suppressed)?\)|,?\s*\d+ identical error\(s\) suppressed", RegexOptions.CultureInvariant)]
    private static partial Regex TimingSuffix();

    [GeneratedRegex(@"(?<user>[^\s:/@,]+):[^\s/@,]*@", RegexOptions.CultureInvariant)]
    private static partial Regex UserInfo();
}
