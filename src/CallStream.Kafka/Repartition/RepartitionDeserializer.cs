using Confluent.Kafka;

namespace CallStream.Kafka;

/// <summary>Reads a repartition topic: a progress marker (a record with the progress header) becomes <see cref="Marker"/>, any other record an interaction.</summary>
internal sealed class RepartitionDeserializer(IDeserializer<Interaction> interactions) : IDeserializer<Interaction>
{
    /// <summary>Stands for a progress marker between the deserializer and the record decoder, which reads the marker from the headers.</summary>
    public static readonly Interaction Marker = new("callstream-progress-marker", "-", "-", Channel.Voice, DateTimeOffset.UnixEpoch, 0, Outcome.Resolved, null);

    public Interaction Deserialize(ReadOnlySpan<byte> data, bool isNull, SerializationContext context) =>
        context.Headers is { } headers && headers.TryGetLastBytes(RepartitionHeaders.Progress, out _)
            ? Marker
            : interactions.Deserialize(data, isNull, context);
}
