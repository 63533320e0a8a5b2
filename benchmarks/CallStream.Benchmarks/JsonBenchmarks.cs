using System.Text.Json;
using BenchmarkDotNet.Attributes;
using CallStream.Json;

namespace CallStream.Benchmarks;

/// <summary>Deserializing and serializing one interaction message as the Kafka consumer and producer do.</summary>
[MemoryDiagnoser]
public class JsonBenchmarks
{
    private byte[] _message = [];
    private Interaction _interaction = null!;
    private readonly ArrayBufferWriterHolder _buffer = new();
    private readonly InteractionJsonReader _reader = new();

    [GlobalSetup]
    public void Setup()
    {
        _interaction = new Interaction("I0001234", "a3f9c2", "A0042", Channel.Voice,
            new DateTimeOffset(2024, 3, 1, 9, 15, 0, TimeSpan.Zero), 312.5, Outcome.Resolved, 4, [new("region", "north")]);
        _message = JsonSerializer.SerializeToUtf8Bytes(_interaction, CallStreamJsonContext.Default.Interaction);
    }

    /// <summary>Through the serializer (the token reader and <see cref="InteractionJsonConverter"/>).</summary>
    [Benchmark(Baseline = true)]
    public Interaction Deserialize() => JsonSerializer.Deserialize(_message, CallStreamJsonContext.Default.Interaction)!;

    /// <summary>Through the one-pass reader of <see cref="InteractionJson"/> (what the message's common shape takes).</summary>
    [Benchmark]
    public Interaction DeserializeOnePass() => InteractionJson.Deserialize(_message)!;

    /// <summary>The same with repeated texts shared, as the Kafka source reads (<see cref="InteractionJsonReader"/>).</summary>
    [Benchmark]
    public Interaction ReadShared() => _reader.Read(_message)!;

    [Benchmark]
    public int Serialize()
    {
        _buffer.Writer.ResetWrittenCount();
        using var writer = new Utf8JsonWriter(_buffer.Writer);
        JsonSerializer.Serialize(writer, _interaction, CallStreamJsonContext.Default.Interaction);
        return _buffer.Writer.WrittenCount;
    }

    private sealed class ArrayBufferWriterHolder
    {
        public System.Buffers.ArrayBufferWriter<byte> Writer { get; } = new(1024);
    }
}
