namespace CallStream.Kafka;

/// <summary>Checks Kafka topic names: 1 to 249 characters from <c>a-z A-Z 0-9 . _ -</c>, not <c>.</c> or <c>..</c>.</summary>
internal static class KafkaTopicName
{
    private const int MaxLength = 249;

    public static void Validate(string? topic, string optionName)
    {
        if (string.IsNullOrEmpty(topic))
            throw new ArgumentException($"{optionName} must not be empty.", optionName);
        if (topic.Length > MaxLength)
            throw new ArgumentException($"{optionName} is {topic.Length} characters long; Kafka allows at most {MaxLength}.", optionName);
        if (topic is "." or "..")
            throw new ArgumentException($"{optionName} '{topic}' is not a valid topic name.", optionName);
        foreach (char c in topic)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-'))
                throw new ArgumentException($"{optionName} '{topic}' contains '{c}'; Kafka topic names allow only a-z, A-Z, 0-9, '.', '_' and '-'.", optionName);
        }
    }
}
