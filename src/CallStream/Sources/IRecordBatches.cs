namespace CallStream;

/// <summary>
/// Implemented by the event enumerator of a source that reads records in batches (a file): after a record event, the
/// pipeline's loop takes the rest of its batch in one call instead of one event at a time.
/// </summary>
internal interface IRecordBatches
{
    /// <summary>
    /// Takes the records of the current batch not yet yielded — of one partition, at consecutive offsets from
    /// <paramref name="firstOffset"/> — or an empty span; they count as yielded.
    /// </summary>
    ReadOnlySpan<Interaction> TakeRestOfBatch(out int partition, out long firstOffset);
}
