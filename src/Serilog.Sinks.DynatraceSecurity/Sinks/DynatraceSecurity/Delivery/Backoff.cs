using System;

namespace Serilog.Sinks.DynatraceSecurity.Delivery;

/// <summary>Exponential backoff with full jitter: 1 s doubling, capped at 1 minute, never below the minimum.</summary>
internal sealed class Backoff
{
    public static readonly Backoff Default = new(TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1));

    public Backoff(TimeSpan minimum, TimeSpan maximum)
    {
        Minimum = minimum;
        Maximum = maximum < minimum ? minimum : maximum;
    }

    public TimeSpan Minimum { get; }
    public TimeSpan Maximum { get; }

    /// <summary>The wait after <paramref name="failedAttempts"/> failed attempts, jittered by <paramref name="random"/> (in [0, 1)).</summary>
    public TimeSpan DelayAfter(int failedAttempts, double random)
    {
        var exponent = Math.Min(Math.Max(failedAttempts - 1, 0), 20);
        var ceiling = Math.Min(Maximum.Ticks, Minimum.Ticks * (1L << exponent));
        // Full jitter, but never less than the minimum so that a dead endpoint is not hammered.
        return TimeSpan.FromTicks(Math.Max(Minimum.Ticks, (long)(ceiling * random)));
    }
}
