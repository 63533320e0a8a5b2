using CallStream.Kafka.Native;

namespace CallStream.Kafka;

/// <summary>
/// Checks pass-through librdkafka settings the way the client will read them, without creating a client: each name
/// and value is set on a scratch librdkafka configuration, so an unknown name or a value of the wrong type (for
/// example <c>fetch.max.bytes=x</c>) is found before anything connects or reads.
/// </summary>
internal static class KafkaSettingsCheck
{
    /// <summary>Checks the settings; the message names the setting and never shows a secret value.</summary>
    /// <param name="settings">The settings, as in <see cref="KafkaClientOptions.Settings"/>.</param>
    /// <exception cref="ArgumentException">librdkafka refuses a setting; the message names it and gives librdkafka's reason.</exception>
    /// <exception cref="DllNotFoundException">librdkafka cannot be loaded.</exception>
    public static unsafe void Check(IEnumerable<KeyValuePair<string, string>> settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        KafkaNative.EnsureLoaded();
        var error = stackalloc byte[Librdkafka.ErrorBufferSize];
        nint conf = Librdkafka.rd_kafka_conf_new();
        if (conf == 0)
            throw new InvalidOperationException("librdkafka could not allocate a configuration to check the settings.");
        try
        {
            foreach (var (key, value) in settings)
            {
                // Confluent.Kafka's own dotnet.* settings never reach librdkafka.
                if (key.StartsWith("dotnet.", StringComparison.Ordinal))
                    continue;
                if (Librdkafka.rd_kafka_conf_set(conf, key, value, error, Librdkafka.ErrorBufferSize) == Librdkafka.ConfOk)
                    continue;
                string reason = Librdkafka.ReadError(error, Librdkafka.ErrorBufferSize);
                if (KafkaConfigRedactor.IsSecret(key) && value.Length > 0)
                    reason = reason.Replace(value, KafkaConfigRedactor.Mask, StringComparison.Ordinal);
                throw new ArgumentException($"setting '{key}' is refused by librdkafka: {reason}", nameof(KafkaClientOptions.Settings));
            }
        }
        finally
        {
            Librdkafka.rd_kafka_conf_destroy(conf);
        }
    }
}
