using System;
using Serilog.Sinks.DynatraceSecurity.Http;

namespace Serilog.Sinks.DynatraceSecurity.Batched;

/// <summary>Classifies failed requests and spaces out retries (exponential backoff with full jitter, capped).</summary>
internal sealed class RetryPolicy
{
    readonly TimeSpan _minimumDelay;
    readonly TimeSpan _maximumDelay;
    readonly Random _random = new();

    public RetryPolicy(TimeSpan retryTimeLimit, TimeSpan minimumDelay, TimeSpan maximumDelay)
    {
        RetryTimeLimit = retryTimeLimit;
        _minimumDelay = minimumDelay;
        _maximumDelay = maximumDelay < minimumDelay ? minimumDelay : maximumDelay;
    }

    public TimeSpan RetryTimeLimit { get; }

    public static FailureClass Classify(IngestResult result) => result.StatusCode switch
    {
        0 or 408 or 429 or 500 or 502 or 503 or 504 => FailureClass.Transient,
        401 or 403 or 404 => FailureClass.Configuration,
        _ => FailureClass.Permanent,
    };

    /// <summary>The wait before attempt <paramref name="failedAttempts"/> + 1.</summary>
    public TimeSpan DelayAfter(int failedAttempts)
    {
        var exponent = Math.Min(failedAttempts - 1, 20);
        var ceiling = Math.Min(_maximumDelay.Ticks, _minimumDelay.Ticks * (1L << exponent));
        double fraction;
        lock (_random)
            fraction = _random.NextDouble();
        // Full jitter, but never less than the minimum delay so that a dead endpoint is not hammered.
        return TimeSpan.FromTicks(Math.Max(_minimumDelay.Ticks, (long)(ceiling * fraction)));
    }
}
