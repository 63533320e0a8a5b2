using System.Diagnostics.Metrics;

namespace CallStream.Rules.Tests.Engine;

/// <summary>A meter factory that keeps the meters it made, so a test can listen to them and dispose them.</summary>
internal sealed class TestMeterFactory : IMeterFactory
{
    public List<Meter> Created { get; } = [];

    public Meter Create(MeterOptions options)
    {
        var meter = new Meter(options.Name, options.Version, options.Tags, this);
        lock (Created)
            Created.Add(meter);
        return meter;
    }

    public void Dispose()
    {
        foreach (var meter in Created)
            meter.Dispose();
    }
}
