using BenchmarkDotNet.Attributes;
using CallStream.Csv;

namespace CallStream.Benchmarks;

/// <summary>
/// Reading a generated 100,000-row CSV log (the <c>callstream generate</c> format, 9 columns) from memory into
/// interactions, synchronously and asynchronously; times and allocations are per row.
/// </summary>
[MemoryDiagnoser]
public class CsvBenchmarks
{
    private const int Rows = 100_000;
    private byte[] _file = [];

    [GlobalSetup]
    public void Setup() => _file = GeneratedInteractions.CsvFile(Rows);

    [Benchmark(OperationsPerInvoke = Rows)]
    public long Read()
    {
        using var reader = new CsvInteractionReader(new MemoryStream(_file, writable: false));
        long count = 0;
        while (reader.Read() is not null)
            count++;
        return count == Rows ? count : throw new InvalidOperationException($"Read {count} rows instead of {Rows}.");
    }

    [Benchmark(OperationsPerInvoke = Rows)]
    public async Task<long> ReadAsync()
    {
        await using var reader = new CsvInteractionReader(new MemoryStream(_file, writable: false));
        long count = 0;
        while (await reader.ReadAsync() is not null)
            count++;
        return count == Rows ? count : throw new InvalidOperationException($"Read {count} rows instead of {Rows}.");
    }
}
