using CallStream.Pipeline;

namespace CallStream.Kafka.Tests.Support;

/// <summary>The pipeline's checkpoint step for tests that drive a source by hand.</summary>
internal static class Checkpoints
{
    /// <summary>Marks a record done and stores with the source the offsets that advanced, as the pipeline's loop does.</summary>
    public static void CompleteAndStore(this CheckpointTracker tracker, int partition, long offset, IInteractionSource source)
    {
        tracker.Begin(partition, offset).Complete();
        var advanced = new Dictionary<int, long>();
        tracker.DrainAdvanced(advanced);
        foreach (var (p, o) in advanced)
            source.StoreOffset(p, o);
    }
}
