namespace CallStream;

/// <summary>
/// A source with no position to resume from (a file, read from its start each time): its offsets are never stored, so
/// an <see cref="InteractionPipeline"/> tracks no checkpoint for its records — no slot per record, no ticket per output —
/// and hands over only the outputs there are to write.
/// </summary>
internal interface IUncheckpointedSource
{
}
