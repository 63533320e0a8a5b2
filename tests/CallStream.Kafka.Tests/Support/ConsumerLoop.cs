using System.Collections.Concurrent;
using Confluent.Kafka;

namespace CallStream.Kafka.Tests.Support;

/// <summary>A consumer polled on its own thread (as an application would), recording what it receives and is assigned.</summary>
internal sealed class ConsumerLoop : IDisposable
{
    private readonly IConsumer<string, string> _consumer;
    private readonly ConcurrentQueue<ConsumeResult<string, string>> _received = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Thread _thread;
    private volatile IReadOnlyList<TopicPartition> _assignment = [];
    private Exception? _failure;

    public ConsumerLoop(IConsumer<string, string> consumer, string topic)
    {
        _consumer = consumer;
        _consumer.Subscribe(topic);
        _thread = new Thread(Run) { IsBackground = true, Name = "consumer-loop" };
        _thread.Start();
    }

    public IReadOnlyList<TopicPartition> Assignment => _assignment;

    public IReadOnlyList<ConsumeResult<string, string>> Received => [.. _received];

    public void Stop()
    {
        if (!_stop.IsCancellationRequested)
            _stop.Cancel();
        if (!_thread.Join(Eventually.Generous))
            Assert.Fail("The consumer loop did not stop.");
        if (_failure is not null)
            throw new InvalidOperationException("The consumer loop failed.", _failure);
    }

    public void Dispose()
    {
        Stop();
        _consumer.Dispose();
        _stop.Dispose();
    }

    private void Run()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var result = _consumer.Consume(TimeSpan.FromMilliseconds(50));
                _assignment = _consumer.Assignment;
                if (result is not null && !result.IsPartitionEOF)
                    _received.Enqueue(result);
            }

            _consumer.Close();
            _assignment = [];
        }
        catch (Exception ex) when (ex is KafkaException or InvalidOperationException)
        {
            _failure = ex;
        }
    }
}
