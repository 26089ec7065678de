using System;
using System.Diagnostics;
using System.Threading;

namespace Serilog.Sinks.DynatraceSecurity.Tests.Support;

static class Eventually
{
    /// <summary>Waits for a condition with a deadline; spins on a short timer, never a fixed sleep.</summary>
    public static void True(Func<bool> condition, TimeSpan timeout, string because)
    {
        var clock = Stopwatch.StartNew();
        using var tick = new ManualResetEventSlim();
        while (!condition())
        {
            if (clock.Elapsed > timeout)
                throw new TimeoutException($"Condition not met within {timeout.TotalSeconds} s: {because}");
            tick.Wait(10);
        }
    }
}
