namespace CallStream;

/// <summary>
/// A sink that tells, of the items it was given, how many its store held already: written by an earlier run, by a
/// replay or a redelivery, or twice in one batch. The core shows the figure as <c>SinkStatistics.AlreadyStored</c>, so
/// that a summary can say what a run added to each store.
/// </summary>
/// <remarks>Implement it on the class that implements <see cref="IBatchedSink{T}"/>.</remarks>
public interface IDeduplicatingSink
{
    /// <summary>Gets how many items written so far the store already held, by the store's own answer.</summary>
    long AlreadyStored { get; }
}
