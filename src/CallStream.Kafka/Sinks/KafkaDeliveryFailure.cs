using Confluent.Kafka;

namespace CallStream.Kafka;

/// <summary>One item of a batch that a Kafka sink could not get acknowledged.</summary>
/// <param name="Id">The item's id: the interaction id or the alert id.</param>
/// <param name="Error">The Kafka error, for example <see cref="ErrorCode.Local_MsgTimedOut"/> or <see cref="ErrorCode.MsgSizeTooLarge"/>.</param>
/// <param name="Reason">The error's description.</param>
public sealed record KafkaDeliveryFailure(string Id, ErrorCode Error, string Reason);
