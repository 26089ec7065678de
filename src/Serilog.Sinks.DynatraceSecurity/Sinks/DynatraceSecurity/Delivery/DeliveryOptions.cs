using System;
using Serilog.Sinks.DynatraceSecurity.Configuration;

namespace Serilog.Sinks.DynatraceSecurity.Delivery;

/// <summary>What the delivery loop needs from the settings, and the clock and randomness it runs on.</summary>
internal sealed class DeliveryOptions
{
    /// <summary>
    /// Dynatrace drops records older than 24 hours after accepting them, silently; an hour's margin covers clock skew
    /// between this machine and the tenant and the time a request takes.
    /// </summary>
    public static readonly TimeSpan MaximumEventAge = TimeSpan.FromHours(23);

    public DeliveryOptions(SinkSettings settings, TimeProvider time, Backoff backoff, Func<double> random)
    {
        BatchSizeLimit = settings.BatchSizeLimit;
        BufferingTimeLimit = settings.BufferingTimeLimit;
        BatchSizeLimitBytes = (int)settings.BatchSizeLimitBytes;
        RequestTimeout = settings.RequestTimeout;
        RetryTimeLimit = settings.RetryTimeLimit;
        Gzip = settings.Compression == DynatraceSecurityCompression.Gzip;
        Text = new FailureText(settings.Target, settings.RequestTimeout, settings.OAuthClient);
        Time = time;
        Backoff = backoff;
        Random = random;
    }

    public int BatchSizeLimit { get; }
    public TimeSpan BufferingTimeLimit { get; }
    public int BatchSizeLimitBytes { get; }
    public TimeSpan RequestTimeout { get; }
    public TimeSpan RetryTimeLimit { get; }
    public bool Gzip { get; }
    public FailureText Text { get; }
    public TimeProvider Time { get; }
    public Backoff Backoff { get; }

    /// <summary>Jitter for the backoff: a number in [0, 1).</summary>
    public Func<double> Random { get; }
}
