using System;
using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Serilog.Sinks.DynatraceSecurity.Benchmarks.EndToEnd;

/// <summary>
/// CPU time and context switches of the calling thread or of the whole process, from <c>getrusage(2)</c> on Linux (the
/// process's CPU time elsewhere, the rest unknown). Context switches count the wake-ups a run causes: each time a thread
/// parks and is woken again, it switches out voluntarily.
/// </summary>
readonly record struct ResourceUsage(TimeSpan Cpu, long ContextSwitches)
{
    const int Self = 0;
    const int Thread = 1;

    public static ResourceUsage OfProcess() => Read(Self);

    public static ResourceUsage OfThread() => Read(Thread);

    public static ResourceUsage operator -(ResourceUsage after, ResourceUsage before) =>
        new(after.Cpu - before.Cpu, after.ContextSwitches - before.ContextSwitches);

    static ResourceUsage Read(int who)
    {
        if (!OperatingSystem.IsLinux())
            return new ResourceUsage(who == Self ? Process.GetCurrentProcess().TotalProcessorTime : TimeSpan.Zero, 0);
        if (getrusage(who, out var usage) != 0)
            throw new InvalidOperationException("getrusage failed: " + Marshal.GetLastPInvokeError());
        var cpu = TimeSpan.FromTicks((usage.UserSeconds + usage.SystemSeconds) * TimeSpan.TicksPerSecond +
            (usage.UserMicroseconds + usage.SystemMicroseconds) * TimeSpan.TicksPerMicrosecond);
        return new ResourceUsage(cpu, usage.VoluntarySwitches + usage.InvoluntarySwitches);
    }

    [DllImport("libc", SetLastError = true)]
#pragma warning disable SA1300, IDE1006 // the C function's name
    static extern int getrusage(int who, out RUsage usage);
#pragma warning restore SA1300, IDE1006

    /// <summary>struct rusage on 64-bit Linux: two timevals, then fourteen longs.</summary>
    [StructLayout(LayoutKind.Sequential)]
    struct RUsage
    {
        public long UserSeconds;
        public long UserMicroseconds;
        public long SystemSeconds;
        public long SystemMicroseconds;
        public long MaxResidentSet;
        public long SharedMemory;
        public long UnsharedData;
        public long UnsharedStack;
        public long MinorFaults;
        public long MajorFaults;
        public long Swaps;
        public long BlockInputs;
        public long BlockOutputs;
        public long MessagesSent;
        public long MessagesReceived;
        public long Signals;
        public long VoluntarySwitches;
        public long InvoluntarySwitches;
    }
}
