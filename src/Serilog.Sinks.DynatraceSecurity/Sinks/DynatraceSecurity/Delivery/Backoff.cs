using System;

namespace Serilog.Sinks.DynatraceSecurity.Delivery;

/// <summary>Exponential backoff with full jitter: 1 s doubling, capped at 1 minute, never below the minimum.</summary>
internal sealed class Backoff
{
    public static Backoff Default => new(TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1));

    readonly TimeSpan _minimum;
    readonly TimeSpan _maximum;
    readonly Func<double> _random;

    /// <summary>A backoff whose jitter comes from <paramref name="random"/> (a number in [0, 1)), or a fresh <see cref="Random"/>.</summary>
    public Backoff(TimeSpan minimum, TimeSpan maximum, Func<double>? random = null)
    {
        _minimum = minimum;
        _maximum = maximum < minimum ? minimum : maximum;
        var source = new Random();
        // Shared by the delivery loop and the replayer: Random is not thread-safe.
        _random = random ?? (() =>
        {
            lock (source)
                return source.NextDouble();
        });
    }

    public TimeSpan DelayAfter(int failedAttempts)
    {
        var exponent = Math.Min(Math.Max(failedAttempts - 1, 0), 20);
        var ceiling = Math.Min(_maximum.Ticks, _minimum.Ticks * (1L << exponent));
        // Full jitter, but never less than the minimum so that a dead endpoint is not hammered.
        return TimeSpan.FromTicks(Math.Max(_minimum.Ticks, (long)(ceiling * _random())));
    }
}
