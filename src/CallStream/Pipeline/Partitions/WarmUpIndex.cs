namespace CallStream.Pipeline;

/// <summary>
/// What a partition's records before an offset are known to hold in event time, kept as samples (offset, newest event
/// time of every record before it) taken every few records: enough to answer, for a commit, from which offset a warm-up
/// must re-read (every record before it is older than the commit's watermark minus the horizon) in bounded memory.
/// </summary>
/// <remarks>
/// The first sample is where this pipeline started reading the partition, with what it was told about the records before
/// (nothing before the start of the partition, or the bound of the warm-up it followed). Samples that a later commit can
/// no longer need are pruned; when there are more than <see cref="MaxSamples"/>, every other one is dropped and the
/// spacing doubles, which only moves an answer earlier. Used on the pipeline's loop only.
/// </remarks>
internal sealed class WarmUpIndex
{
    /// <summary>Records between two samples at first.</summary>
    internal const int InitialSpacing = 64;

    /// <summary>The most samples kept.</summary>
    internal const int MaxSamples = 4096;

    private readonly List<(long Offset, long NewestBefore)> _samples = [];
    private int _spacing = InitialSpacing;
    private int _sinceSample;
    private long _newest = long.MinValue;
    private long? _pendingBound;

    /// <summary>Gets the offset after the last record observed (where the records this index covers end), or -1 before a start.</summary>
    public long Next { get; private set; } = -1;

    /// <summary>Gets whether the index covers the partition from some offset on.</summary>
    public bool Started => Next >= 0;

    /// <summary>Gets how many samples are kept.</summary>
    public int Count => _samples.Count;

    /// <summary>Starts over at <paramref name="offset"/>: every record before it has an event time before <paramref name="boundTicks"/>
    /// (<see cref="long.MinValue"/>: no record before it counts).</summary>
    public void Start(long offset, long boundTicks)
    {
        _pendingBound = null;
        _samples.Clear();
        _spacing = InitialSpacing;
        _sinceSample = 0;
        _newest = boundTicks == long.MinValue ? long.MinValue : boundTicks - 1;
        _samples.Add((offset, _newest));
        Next = offset;
    }

    /// <summary>Starts over at the first record observed: every record before it has an event time before <paramref name="boundTicks"/>.</summary>
    public void Expect(long boundTicks)
    {
        _samples.Clear();
        Next = -1;
        _pendingBound = boundTicks;
    }

    /// <summary>Adds a record read at or after <see cref="Next"/>, in offset order; records already covered are ignored.</summary>
    public void Observe(long offset, long eventTicks)
    {
        if (Next < 0)
        {
            if (_pendingBound is not long bound)
                return;
            _pendingBound = null;
            Start(offset, bound);
        }
        if (offset < Next)
            return;
        if (++_sinceSample >= _spacing)
        {
            _sinceSample = 0;
            _samples.Add((offset, _newest));
            if (_samples.Count > MaxSamples)
                Thin();
        }
        if (eventTicks > _newest)
            _newest = eventTicks;
        Next = offset + 1;
    }

    /// <summary>Gets the latest sampled offset before which every record is older than <paramref name="thresholdTicks"/>
    /// (the first sample when none is: a warm-up from where this pipeline itself started).</summary>
    public long WarmUpFrom(long thresholdTicks)
    {
        long from = _samples.Count > 0 ? _samples[0].Offset : 0;
        foreach (var (offset, newestBefore) in _samples)
        {
            if (newestBefore >= thresholdTicks)
                break;
            from = offset;
        }
        return from;
    }

    /// <summary>Drops the samples before the latest one that is older than <paramref name="thresholdTicks"/>: no later commit
    /// with a threshold at or after it needs them.</summary>
    public void Prune(long thresholdTicks)
    {
        int keep = 0;
        for (int i = 1; i < _samples.Count && _samples[i].NewestBefore < thresholdTicks; i++)
            keep = i;
        if (keep > 0)
            _samples.RemoveRange(0, keep);
    }

    private void Thin()
    {
        // Keep the first (the start's bound) and every other one after it; the answers only move earlier.
        int write = 1;
        for (int read = 2; read < _samples.Count; read += 2)
            _samples[write++] = _samples[read];
        _samples.RemoveRange(write, _samples.Count - write);
        _spacing *= 2;
    }
}
