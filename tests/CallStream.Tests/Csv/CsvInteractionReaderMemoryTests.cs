using System.Text;
using CallStream.Csv;
using static CallStream.Tests.Csv.CsvTestInput;

namespace CallStream.Tests.Csv;

/// <summary>Tests that measure the process's heap run alone: <c>GC.GetTotalMemory</c> counts every test's allocations.</summary>
[CollectionDefinition(nameof(MemoryMeasuringCollection), DisableParallelization = true)]
public sealed class MemoryMeasuringCollection;

[Collection(nameof(MemoryMeasuringCollection))]
public class CsvInteractionReaderMemoryTests
{
    [Fact]
    public void Read_LargeFile_StreamsInConstantMemory()
    {
        const int Rows = 200_000;
        string path = Path.Combine(Path.GetTempPath(), $"callstream-large-{Guid.NewGuid():N}.csv");
        try
        {
            using (var writer = new StreamWriter(path, false, new UTF8Encoding(false)))
            {
                writer.Write(Header + ",note\n");
                for (int n = 0; n < Rows; n++)
                {
                    string duration = n % 1000 == 999 ? "-1" : (n % 3600).ToString(System.Globalization.CultureInfo.InvariantCulture);
                    string note = n % 100 == 0 ? "\"quoted, with\nnew line\"" : "plain";
                    writer.Write($"i-{n},c-{n % 5000},a-{n % 676},{(n % 2 == 0 ? "voice" : "chat")},2024-03-01T09:{n % 60:00}:00Z,{duration},resolved,{1 + (n % 5)},q{n % 7},{note}\n");
                }
            }

            long accepted = 0, lastLine = 0;
            long memoryAtQuarter = 0, memoryAtEnd = 0;
            var early = new List<WeakReference<Interaction>>();
            var options = new CsvReaderOptions { OnRejected = r => lastLine = r.Line };
            using var reader = new CsvInteractionReader(path, options);
            foreach (var interaction in reader.ReadAll())
            {
                accepted++;
                if (accepted % 1000 == 0 && accepted <= Rows / 4)
                    early.Add(new WeakReference<Interaction>(interaction));
                if (accepted == Rows / 4)
                    memoryAtQuarter = GC.GetTotalMemory(forceFullCollection: true);
            }
            memoryAtEnd = GC.GetTotalMemory(forceFullCollection: true);

            Assert.Equal(Rows - (Rows / 1000), accepted);
            Assert.Equal((Rows, Rows - (Rows / 1000), Rows / 1000), (reader.RecordsRead, reader.RecordsAccepted, reader.RecordsRejected));
            // The last bad row is row 199,999 (0-based): line 1 + 200,000 + one extra line per quoted note before it.
            Assert.Equal(1 + Rows + (Rows / 100), lastLine);
            // Nothing read keeps the rows alive (independent of anything else in the process) ...
            Assert.All(early, w => Assert.False(w.TryGetTarget(out _), "an interaction of the first quarter is still referenced"));
            // ... and the heap does not grow with the file (this class runs alone, so the figure is this test's).
            Assert.True(memoryAtEnd - memoryAtQuarter < 8 << 20, $"memory grew by {memoryAtEnd - memoryAtQuarter} bytes while reading");
        }
        finally
        {
            File.Delete(path);
        }
    }
}
