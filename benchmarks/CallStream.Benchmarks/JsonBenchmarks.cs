using System.Text;
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

    [GlobalSetup]
    public void Setup()
    {
        _interaction = new Interaction("I0001234", "a3f9c2", "A0042", Channel.Voice,
            new DateTimeOffset(2024, 3, 1, 9, 15, 0, TimeSpan.Zero), 312.5, Outcome.Resolved, 4, [new("region", "north")]);
        _message = JsonSerializer.SerializeToUtf8Bytes(_interaction, CallStreamJsonContext.Default.Interaction);
    }

    [Benchmark]
    public Interaction Deserialize() => JsonSerializer.Deserialize(_message, CallStreamJsonContext.Default.Interaction)!;

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
