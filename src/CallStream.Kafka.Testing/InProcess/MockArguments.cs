using Confluent.Kafka;

namespace CallStream.Kafka;

/// <summary>Checks the arguments of the mock cluster's calls and turns its error codes into exceptions.</summary>
internal static class MockArguments
{
    private const int MaxTopicNameLength = 249;

    internal static int ToMilliseconds(TimeSpan value, [System.Runtime.CompilerServices.CallerArgumentExpression(nameof(value))] string? name = null)
    {
        if (value < TimeSpan.Zero || value.TotalMilliseconds > int.MaxValue)
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be from zero to {int.MaxValue} milliseconds.");
        return (int)value.TotalMilliseconds;
    }

    internal static void ValidateTopicName(string topic, [System.Runtime.CompilerServices.CallerArgumentExpression(nameof(topic))] string? name = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic, name);
        if (topic.Length > MaxTopicNameLength)
            throw new ArgumentException($"The topic name is {topic.Length} characters long; Kafka allows at most {MaxTopicNameLength}.", name);
        if (topic is "." or "..")
            throw new ArgumentException($"'{topic}' is not a valid topic name.", name);
        foreach (var c in topic)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-'))
                throw new ArgumentException($"The topic name '{topic}' contains '{c}'; Kafka allows only a-z, A-Z, 0-9, '.', '_' and '-'.", name);
        }
    }

    internal static void Check(int error, string action)
    {
        if (error == 0)
            return;
        var code = (ErrorCode)error;
        throw new KafkaException(new Error(code, $"The in-process Kafka cluster could not {action}: {code.GetReason()} ({code})."));
    }
}
