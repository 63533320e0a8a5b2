using System.Diagnostics;

namespace CallStream.Kafka.Tests.Support;

/// <summary>Polls a condition until it holds or a deadline passes; never sleeps a fixed amount to "let things settle".</summary>
internal static class Eventually
{
    /// <summary>The deadline for anything that should happen within a second on an idle machine.</summary>
    public static readonly TimeSpan Generous = TimeSpan.FromSeconds(30);

    public static void Holds(Func<bool> condition, TimeSpan timeout, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > timeout)
                Assert.Fail($"{what} did not happen within {timeout.TotalSeconds:0.#} s.");
            Thread.Sleep(10);
        }
    }
}
