using System;
using System.Diagnostics;
using System.Threading;

namespace Serilog.Sinks.DynatraceSecurity.Benchmarks.EndToEnd;

/// <summary>
/// How the measured application logs: flat out (a burst: the producer outruns every sink), or at a steady rate (the
/// way production looks: a fixed number of events per second, the logging thread idle in between).
/// </summary>
sealed record Workload(string Name, int Events, int? Rate)
{
    public static Workload Burst(int events) => new("flat out", events, null);

    public static Workload Steady(int events, int rate) => new($"steady {rate:N0} events/s", events, rate);

    public void Run(ILogger log)
    {
        if (Rate is not { } rate)
        {
            for (var i = 0; i < Events; i++)
                log.Warning(SampleEvents.Template, "alice", "203.0.113.7", i);
            return;
        }

        // Log what is due, then sleep a millisecond: the producer costs the same for every sink and stays off the CPU
        // between ticks, as an application logging at this rate would.
        var clock = Stopwatch.StartNew();
        var logged = 0;
        while (logged < Events)
        {
            var due = (int)Math.Min(Events, (long)(clock.Elapsed.TotalSeconds * rate) + 1);
            while (logged < due)
                log.Warning(SampleEvents.Template, "alice", "203.0.113.7", logged++);
            if (logged < Events)
                Thread.Sleep(1);
        }
    }
}
