namespace CallStream.Benchmarks;

/// <summary>
/// Counts the runtime's garbage collections (by generation and reason) and large/pinned-object allocations (by type,
/// one per 100 KB allocated) in process, through its event source: what the quick mode prints with QUICK_GCTRACE=1.
/// </summary>
internal sealed class GcTrace : System.Diagnostics.Tracing.EventListener
{
    /// <summary>Gets the counts by description.</summary>
    public static readonly System.Collections.Concurrent.ConcurrentDictionary<string, int> Counts = new();

    /// <summary>Whether small-object allocations are counted by type too (QUICK_GCTRACE=all).</summary>
    private static readonly bool AllTypes = Environment.GetEnvironmentVariable("QUICK_GCTRACE") == "all";
    /// <inheritdoc/>
    protected override void OnEventSourceCreated(System.Diagnostics.Tracing.EventSource source)
    {
        if (source.Name == "Microsoft-Windows-DotNETRuntime")
            EnableEvents(source, System.Diagnostics.Tracing.EventLevel.Verbose, (System.Diagnostics.Tracing.EventKeywords)0x1);
    }
    /// <inheritdoc/>
    protected override void OnEventWritten(System.Diagnostics.Tracing.EventWrittenEventArgs e)
    {
        if (e.EventName == "GCStart_V2")
            Counts.AddOrUpdate($"GC gen{e.Payload![1]} reason {e.Payload[2]}", 1, (_, n) => n + 1);
        else if (e.EventName is "GCAllocationTick_V4" or "GCAllocationTick_V3" && (AllTypes || Convert.ToInt32(e.Payload![1]) != 0))
            Counts.AddOrUpdate($"{(Convert.ToInt32(e.Payload![1]) == 0 ? "small" : "LOH/POH")} tick kind {e.Payload[1]} {e.Payload[5]}", 1, (_, n) => n + 1);
    }
}
