using System.Diagnostics;
using System.Runtime.InteropServices;

namespace CallStream.Benchmarks;

/// <summary>The calling thread's CPU time, which on a shared machine leaves out the time the thread waited for a core.</summary>
internal static partial class ThreadCpu
{
    private const int ClockThreadCpuTime = 3;

    /// <summary>Gets the calling thread's CPU time in nanoseconds (Linux); elsewhere the wall clock's.</summary>
    public static long Nanoseconds()
    {
        if (OperatingSystem.IsLinux() && ClockGetTime(ClockThreadCpuTime, out var time) == 0)
            return (time.Seconds * 1_000_000_000) + time.Nanoseconds;
        return (long)(Stopwatch.GetTimestamp() * (1e9 / Stopwatch.Frequency));
    }

    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int ClockGetTime(int clock, out TimeSpec time);

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }
}
